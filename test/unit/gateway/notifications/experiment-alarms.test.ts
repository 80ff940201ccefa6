import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../../observability/logger.js';
import type { ExperimentNotification } from '../../../../gateway/notifications/events.js';
import { ExperimentAlarms } from '../../../../gateway/notifications/experiment-alarms.js';
import type { ExperimentListing, ExperimentReport } from '../../../../gateway/experiments/service.js';

const MISMATCH = { observed: { control: 600, treatment: 400 }, expected: { control: 500, treatment: 500 }, chiSquare: 40, df: 1, pValue: 2.54e-10, mismatch: true };
const FINE = { ...MISMATCH, observed: { control: 505, treatment: 495 }, chiSquare: 0.1, pValue: 0.75, mismatch: false };

/** An experiments service whose SRM check answers what the test says, look after look. */
function experiments(looks: (typeof MISMATCH)[]) {
  return {
    list: () => Promise.resolve([{ id: 'ab-1' } as ExperimentListing]),
    results: () => Promise.resolve({ experimentId: 'ab-1', route: 'ranker', sampleRatio: looks.shift() ?? FINE } as unknown as ExperimentReport),
  };
}

describe('experiment alarms', () => {
  it('raises a sample ratio mismatch once per episode, and only on the analysis leader', async () => {
    const sent: ExperimentNotification[] = [];
    let leading = false;
    const alarms = new ExperimentAlarms({
      experiments: experiments([MISMATCH, MISMATCH, FINE, MISMATCH]), leading: () => leading, notify: (n) => sent.push(n), log: silentLogger(), now: () => 1_000,
    });
    await alarms.check(); // not the leader: looks at nothing
    assert.equal(sent.length, 0);
    leading = true;
    await alarms.check();
    await alarms.check(); // still mismatched: no second alarm
    await alarms.check(); // cleared
    await alarms.check(); // back: a new episode
    assert.deepEqual(sent, [MISMATCH, MISMATCH].map(() => ({
      type: 'experiment.sample_ratio_mismatch', experiment: 'ab-1', route: 'ranker', at: 1_000,
      summary: 'Experiment ab-1: sample ratio mismatch (exposures control 600, treatment 400; p = 2.54e-10); its results are not trustworthy until the split is fixed',
      detail: { observed: MISMATCH.observed, expected: MISMATCH.expected, chiSquare: 40, pValue: 2.54e-10 },
    })));
  });
});
