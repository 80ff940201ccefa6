import type { MetricMoments, OutcomeCombine } from './store.js';

/**
 * Running moments of one metric in one variant, one row per unit, updated with Welford's
 * method (Welford 1962; Chan, Golub & LeVeque 1983): the mean and the sum of squared
 * deviations M2 are updated directly, never Σx², so values like 1e9 + noise keep their
 * precision (naive Σx² - (Σx)²/n cancels every digit of the noise at that scale).
 *
 * A unit's total can change after it was counted (a second purchase), so besides adding a
 * unit there is a replacement update at fixed n:
 *   δ = new - old;  mean' = mean + δ/n;  M2' = M2 + δ·((new - mean') + (old - mean))
 * which follows from M2 = Σx² - n·mean². A unit can also leave (removeUnit, when it turns out
 * to have been exposed to two arms). The Redis Lua script performs exactly these
 * operations in the same order, so both stores return identical numbers.
 */
export interface RunningMoments {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
  /** Plain Σx, kept apart so counts of 0/1 metrics stay exact integers. */
  readonly sum: number;
}

export const EMPTY_MOMENTS: RunningMoments = { n: 0, mean: 0, m2: 0, sum: 0 };

export function combineValue(previous: number | undefined, value: number, combine: OutcomeCombine = 'sum'): number {
  if (previous === undefined) return value;
  return combine === 'max' ? Math.max(previous, value) : previous + value;
}

/** Adds a unit seen for the first time with total `value`. */
export function addUnit(m: RunningMoments, value: number): RunningMoments {
  const n = m.n + 1;
  const d = value - m.mean;
  const mean = m.mean + d / n;
  return { n, mean, m2: m.m2 + d * (value - mean), sum: m.sum + value };
}

/** A counted unit's total moves from `previous` to `next`. */
export function replaceUnit(m: RunningMoments, previous: number, next: number): RunningMoments {
  const delta = next - previous;
  if (delta === 0) return m;
  const mean = m.mean + delta / m.n;
  return { n: m.n, mean, m2: m.m2 + delta * ((next - mean) + (previous - m.mean)), sum: m.sum + delta };
}

/**
 * Takes out a counted unit whose total is `value` (a unit found in a second arm): the exact
 * inverse of addUnit. The last unit out leaves EMPTY_MOMENTS, which the stores delete.
 */
export function removeUnit(m: RunningMoments, value: number): RunningMoments {
  if (m.n <= 1) return EMPTY_MOMENTS;
  const n = m.n - 1;
  const mean = m.mean - (value - m.mean) / n;
  return { n, mean, m2: m.m2 - (value - m.mean) * (value - mean), sum: m.sum - value };
}

/**
 * The reported mean is Σx / n, not the running mean: replacement updates add δ/n rounding
 * on every step, while Σx of whole numbers (counts, cents) stays exact.
 */
export function toMetricMoments(m: RunningMoments): MetricMoments {
  // Replacement updates can leave M2 a few ulps below zero when every value is equal.
  const variance = m.n < 2 ? null : Math.max(0, m.m2) / (m.n - 1);
  return { n: m.n, mean: m.sum / m.n, variance, sum: m.sum };
}
