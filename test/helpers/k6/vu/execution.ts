import { scenarioStartTime } from './context.js';

/** k6/execution: the fields the scripts read. */
const execution = {
  scenario: {
    /** Milliseconds since the epoch when the scenario started. */
    get startTime(): number {
      return scenarioStartTime();
    },
  },
};

export default execution;
