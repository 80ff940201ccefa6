import type { MetricMoments } from '../store/store.js';
import { describeMean, describeProportion, type SampleMoments, type VariantEstimate } from './describe.js';
import type { MetricDefinition } from './types.js';

/** One variant's per-unit data for one metric, as the tests consume it. */
export interface Arm extends SampleMoments {
  readonly sum: number;
}

/**
 * The metric over the units analysed in one arm: those first exposed to it and to no other
 * (`units`; the store's moments cover those of them with an outcome). With missing = 'zero',
 * analysed units with no outcome are rows of 0: the stored moments are combined with those
 * zeros by the parallel-variance formula (Chan, Golub & LeVeque 1979)
 *   SS = SS_o + n_o·(mean_o − mean)² + n_0·(0 − mean)²,
 * which never forms Σx². With 'exclude', n is the units with an outcome.
 */
export function armOf(stored: MetricMoments | undefined, units: number, metric: MetricDefinition): Arm {
  const nOutcome = stored?.n ?? 0;
  const sum = stored?.sum ?? 0;
  // The join keeps nOutcome ≤ units; the max guards moments an older version stored without it.
  const n = (metric.missing ?? 'zero') === 'zero' ? Math.max(units, nOutcome) : nOutcome;
  if (n === 0) return { n: 0, mean: 0, variance: 0, sum: 0 };
  const mean = sum / n;
  const meanOutcome = nOutcome === 0 ? 0 : stored!.mean;
  const ss = (stored?.variance ?? 0) * Math.max(0, nOutcome - 1)
    + nOutcome * (meanOutcome - mean) ** 2 + (n - nOutcome) * mean * mean;
  const variance = metric.kind === 'proportion' ? proportionVariance(mean, n) : n < 2 ? 0 : ss / (n - 1);
  const shifted = metric.kind === 'proportion' ? undefined : shiftedMean(stored, n);
  return shifted === undefined ? { n, mean, variance, sum } : { n, mean, variance, sum, shifted };
}

/**
 * The arm's mean of x − K from the store's (over the units with an outcome), with the units
 * counted as 0 each contributing 0 − K: (n_o·shifted_o − (n − n_o)·K)/n.
 */
function shiftedMean(stored: MetricMoments | undefined, n: number): SampleMoments['shifted'] {
  const shifted = stored?.shifted;
  if (shifted === undefined) return undefined;
  return { origin: shifted.origin, mean: (stored!.n * shifted.mean - (n - stored!.n) * shifted.origin) / n };
}

/** Sample variance of n values of 0/1 with rate p: p(1 − p)·n/(n − 1). */
function proportionVariance(p: number, n: number): number {
  return n < 2 ? 0 : (p * (1 - p) * n) / (n - 1);
}

export function describeArm(arm: Arm, metric: MetricDefinition, alpha: number): VariantEstimate {
  return metric.kind === 'proportion' ? describeProportion(arm.sum, arm.n, alpha) : describeMean(arm, alpha);
}

/**
 * The moments the proportion tests use: variance p(1 − p) with the n denominator, as the
 * Wald interval and R's `prop.test` do, so se = sqrt(p(1 − p)/n).
 */
export function bernoulliMoments(arm: Arm): SampleMoments {
  return { n: arm.n, mean: arm.mean, variance: arm.mean * (1 - arm.mean) };
}
