/**
 * Steady inference load at a fixed arrival rate: RATE requests per second for DURATION,
 * whatever the latency (open loop, so a slow server cannot slow the test down and hide it).
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e RATE=100 -e DURATION=2m loadtest/k6/steady.ts
 */
import type { Options } from 'k6/options';
import { DURATION, MAX_VUS, PRE_VUS, RATE } from './lib/env.ts';
import { infer, standardThresholds } from './lib/infer.ts';

export const options: Options = {
  scenarios: {
    steady: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: PRE_VUS, maxVUs: MAX_VUS },
  },
  thresholds: standardThresholds(),
};

export default function steady(): void {
  infer();
}
