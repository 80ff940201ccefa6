/**
 * A spike: RATE requests per second, then SPIKE_FACTOR (10) times that within SPIKE_RAMP,
 * held for SPIKE_HOLD, then back to RATE. The server may shed (503 with Retry-After) during
 * the spike; what must hold is a bounded p99 and no crash, and recovery afterwards: once the
 * rate is back to RATE (the SPIKE_AFTER phase), errors under MAX_ERROR_RATE and p95 under P95_MS.
 *
 *   k6 run -e RATE=50 -e SPIKE_FACTOR=10 -e SPIKE_HOLD=30s loadtest/k6/spike.ts
 */
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { durationMs, envNumber, envString, MAX_ERROR_RATE, MAX_VUS, P95_MS, P99_MS, PRE_VUS, RATE } from './lib/env.ts';
import { droppedThreshold, infer } from './lib/infer.ts';

const FACTOR = envNumber('SPIKE_FACTOR', 10);
const BEFORE = envString('SPIKE_BEFORE', '30s');
const RAMP = envString('SPIKE_RAMP', '5s');
const HOLD = envString('SPIKE_HOLD', '30s');
const AFTER = envString('SPIKE_AFTER', '30s');
/** During a spike a shed request is expected; this bounds the share of answers that are not 200. */
const SPIKE_MAX_ERROR_RATE = envNumber('SPIKE_MAX_ERROR_RATE', 0.5);
/** Milliseconds from the scenario's start to the end of the steady part before the spike, and of the spike. */
const SPIKE_STARTS_MS = durationMs(BEFORE);
const SPIKE_ENDS_MS = SPIKE_STARTS_MS + 2 * durationMs(RAMP) + durationMs(HOLD);

/** The part of the profile an iteration starts in: before, spike (climb, hold, way down) or after. */
function phase(): string {
  const elapsed = Date.now() - exec.scenario.startTime;
  if (elapsed < SPIKE_STARTS_MS) return 'before';
  return elapsed < SPIKE_ENDS_MS ? 'spike' : 'after';
}

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
    'http_req_failed{traffic:user}': [{ threshold: `rate<${Math.max(SPIKE_MAX_ERROR_RATE, MAX_ERROR_RATE)}`, abortOnFail: false }],
    // Recovery: back at RATE, the server is held to the steady budget again. Without these a
    // server failing every request after the spike passes, its errors diluted by the rest.
    'switchyard_errors{phase:after}': [`rate<${MAX_ERROR_RATE}`],
    'switchyard_latency{phase:after}': [`p(95)<${P95_MS}`],
    // k6 passes a threshold whose metric has no samples: an empty recovery phase must fail.
    'switchyard_responses{phase:after}': ['count>0'],
    ...droppedThreshold(),
  },
};

export default function spike(): void {
  infer({}, { phase: phase() });
}
