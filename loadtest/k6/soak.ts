/**
 * A soak: a steady RATE for hours (SOAK_DURATION, default 4h). Leaks and slow drifts only show
 * over time, so the thresholds are the steady ones and the run aborts early when they fail.
 * Watch the processes' memory on their /metrics meanwhile (process_resident_memory_bytes).
 *
 *   k6 run -e RATE=50 -e SOAK_DURATION=8h loadtest/k6/soak.ts
 */
import type { Options } from 'k6/options';
import { envString, MAX_ERROR_RATE, MAX_VUS, P95_MS, P99_MS, PRE_VUS, RATE } from './lib/env.ts';
import { infer } from './lib/infer.ts';

const SOAK_DURATION = envString('SOAK_DURATION', '4h');

export const options: Options = {
  scenarios: {
    soak: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: SOAK_DURATION, preAllocatedVUs: PRE_VUS, maxVUs: MAX_VUS },
  },
  thresholds: {
    // Aborting after a 10-minute grace period spares hours on a run that has already failed.
    'http_req_failed{traffic:user}': [{ threshold: `rate<${MAX_ERROR_RATE}`, abortOnFail: true, delayAbortEval: '10m' }],
    'http_req_duration{traffic:user}': [`p(95)<${P95_MS}`, { threshold: `p(99)<${P99_MS}`, abortOnFail: true, delayAbortEval: '10m' }],
    dropped_iterations: ['count<100'],
  },
};

export default function soak(): void {
  infer();
}
