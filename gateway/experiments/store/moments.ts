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
  /** Running mean of x − origin. */
  readonly mean: number;
  /** Σ(x − mean)², the same about any origin. */
  readonly m2: number;
  /** Plain Σx, kept apart so counts of 0/1 metrics stay exact integers. */
  readonly sum: number;
  /** Σ(x − origin): the digits of fractional values near a large origin, which Σx rounds away. */
  readonly shiftedSum: number;
}

export const EMPTY_MOMENTS: RunningMoments = { n: 0, mean: 0, m2: 0, sum: 0, shiftedSum: 0 };

export function combineValue(previous: number | undefined, value: number, combine: OutcomeCombine = 'sum'): number {
  if (previous === undefined) return value;
  return combine === 'max' ? Math.max(previous, value) : previous + value;
}

/**
 * The three updates for a metric whose values are taken about `origin` K (the first value the
 * store saw for the metric, shared by every variant): Welford runs on y = x − K, so values near
 * 1e9 with a spread of a few units keep their variance (Welford on the raw values is 5e-9 off
 * at that scale, on y 1e-15) and Σ(x − K) gives each arm a shifted mean whose differences keep
 * their digits (SampleMoments.shifted). Origin 0 is plain Welford on x.
 */
export interface MomentUpdates {
  /** Adds a unit seen for the first time with total `value`. */
  addUnit(m: RunningMoments, value: number): RunningMoments;
  /** A counted unit's total moves from `previous` to `next`. */
  replaceUnit(m: RunningMoments, previous: number, next: number): RunningMoments;
  /**
   * Takes out a counted unit whose total is `value` (a unit found in a second arm): the exact
   * inverse of addUnit. The last unit out leaves EMPTY_MOMENTS, which the stores delete.
   */
  removeUnit(m: RunningMoments, value: number): RunningMoments;
}

export function momentsAbout(origin: number): MomentUpdates {
  return {
    addUnit(m, value) {
      const y = value - origin;
      const n = m.n + 1;
      const d = y - m.mean;
      const mean = m.mean + d / n;
      return { n, mean, m2: m.m2 + d * (y - mean), sum: m.sum + value, shiftedSum: m.shiftedSum + y };
    },
    replaceUnit(m, previous, next) {
      const delta = next - previous;
      if (delta === 0) return m;
      const mean = m.mean + delta / m.n;
      const m2 = m.m2 + delta * (((next - origin) - mean) + ((previous - origin) - m.mean));
      return { n: m.n, mean, m2, sum: m.sum + delta, shiftedSum: m.shiftedSum + delta };
    },
    removeUnit(m, value) {
      if (m.n <= 1) return EMPTY_MOMENTS;
      const y = value - origin;
      const n = m.n - 1;
      const mean = m.mean - (y - m.mean) / n;
      return { n, mean, m2: m.m2 - (y - m.mean) * (y - mean), sum: m.sum - value, shiftedSum: m.shiftedSum - y };
    },
  };
}

const PLAIN = momentsAbout(0);
/** Updates about origin 0 (see momentsAbout). */
export function addUnit(m: RunningMoments, value: number): RunningMoments {
  return PLAIN.addUnit(m, value);
}
export function replaceUnit(m: RunningMoments, previous: number, next: number): RunningMoments {
  return PLAIN.replaceUnit(m, previous, next);
}
export function removeUnit(m: RunningMoments, value: number): RunningMoments {
  return PLAIN.removeUnit(m, value);
}

/**
 * The reported mean is Σx / n, not the running mean: replacement updates add δ/n rounding
 * on every step, while Σx of whole numbers (counts, cents) stays exact. With a non-zero
 * origin the moments also carry the shifted mean Σ(x − K)/n.
 */
export function toMetricMoments(m: RunningMoments, origin = 0): MetricMoments {
  // Replacement updates can leave M2 a few ulps below zero when every value is equal.
  const variance = m.n < 2 ? null : Math.max(0, m.m2) / (m.n - 1);
  const plain = { n: m.n, mean: m.sum / m.n, variance, sum: m.sum };
  return origin === 0 || m.n === 0 ? plain : { ...plain, shifted: { origin, mean: m.shiftedSum / m.n } };
}
