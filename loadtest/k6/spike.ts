/**
 * A spike: RATE requests per second, then SPIKE_FACTOR (10) times that within SPIKE_RAMP,
 * held for SPIKE_HOLD, then back to RATE. The server may shed (503 with Retry-After) during
 * the spike; what must hold is a bounded p99 and no crash, and recovery afterwards.
 *
 *   k6 run -e RATE=50 -e SPIKE_FACTOR=10 -e SPIKE_HOLD=30s loadtest/k6/spike.ts
 */
import type { Options } from 'k6/options';
import { envNumber, envString, MAX_ERROR_RATE, MAX_VUS, P99_MS, PRE_VUS, RATE } from './lib/env.ts';
import { infer } from './lib/infer.ts';

const FACTOR = envNumber('SPIKE_FACTOR', 10);
const BEFORE = envString('SPIKE_BEFORE', '30s');
const RAMP = envString('SPIKE_RAMP', '5s');
const HOLD = envString('SPIKE_HOLD', '30s');
const AFTER = envString('SPIKE_AFTER', '30s');
/** During a spike a shed request is expected; this bounds the share of answers that are not 200. */
const SPIKE_MAX_ERROR_RATE = envNumber('SPIKE_MAX_ERROR_RATE', 0.5);

export const options: Options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: RATE,
      timeUnit: '1s',
      preAllocatedVUs: PRE_VUS,
      maxVUs: Math.max(MAX_VUS, PRE_VUS * FACTOR),
      stages: [
        { target: RATE, duration: BEFORE },
        { target: RATE * FACTOR, duration: RAMP },
        { target: RATE * FACTOR, duration: HOLD },
        { target: RATE, duration: RAMP },
        { target: RATE, duration: AFTER },
      ],
    },
  },
  thresholds: {
    // Shed answers (503) count as failures here, so the spike has its own error budget;
    // the steady parts are held to MAX_ERROR_RATE by the steady scenario.
    switchyard_errors: [`rate<${SPIKE_MAX_ERROR_RATE}`],
    'switchyard_latency{status:200}': [`p(99)<${P99_MS}`],
    http_req_failed: [{ threshold: `rate<${Math.max(SPIKE_MAX_ERROR_RATE, MAX_ERROR_RATE)}`, abortOnFail: false }],
  },
};

export default function spike(): void {
  infer();
}
