/**
 * Canary verification: sends RATE requests per second with no unit (so each is split at
 * random) and checks that the share answered by CANARY_VERSION is CANARY_WEIGHT percent,
 * within TOLERANCE percentage points. The version comes from x-switchyard-version.
 *
 *   k6 run -e MODEL=fraud -e CANARY_VERSION=2 -e CANARY_WEIGHT=20 loadtest/k6/canary.ts
 *
 * With the demo stack the rollout moves on its own every 20 s: pause it first, or point the
 * test at a route whose canary has a fixed weight (no steps), or the split moves under it.
 */
import { Rate } from 'k6/metrics';
import type { Options } from 'k6/options';
import { DURATION, envNumber, envString, MAX_VUS, PRE_VUS, RATE } from './lib/env.ts';
import { infer, standardThresholds } from './lib/infer.ts';

const CANARY_VERSION = envString('CANARY_VERSION', '2');
/** Percent of traffic the config sends to the canary. */
const CANARY_WEIGHT = envNumber('CANARY_WEIGHT', 20);
/**
 * Allowed distance from the weight, in percentage points. A random split of n requests at
 * weight p has a standard error of sqrt(p(1-p)/n); 3 points is four of them at 20 % over 3,000
 * requests (the default RATE × DURATION). Shorter runs need a wider tolerance.
 */
const TOLERANCE = envNumber('TOLERANCE', 3);

/** One sample per successful answer: true when the canary answered. */
const canaryShare = new Rate('switchyard_canary_share');

const low = Math.max(0, CANARY_WEIGHT - TOLERANCE) / 100;
const high = Math.min(100, CANARY_WEIGHT + TOLERANCE) / 100;

export const options: Options = {
  scenarios: {
    canary: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: PRE_VUS, maxVUs: MAX_VUS },
  },
  thresholds: {
    ...standardThresholds(),
    switchyard_canary_share: [`rate>=${low}`, `rate<=${high}`],
  },
};

export default function canary(): void {
  const answer = infer();
  if (answer.ok) canaryShare.add(answer.version === CANARY_VERSION, { backend: answer.backend });
}
