import { studentTQuantile, zQuantile } from './distributions.js';

/** Per-unit statistics of one variant: the input every test below works from. */
export interface SampleMoments {
  /** Units. */
  readonly n: number;
  readonly mean: number;
  /** Sample variance (n - 1 denominator). */
  readonly variance: number;
  /**
   * Optional, for values far from 0: the mean of x − origin, for an origin the store shares
   * across the arms of a metric (the first value it saw, say). When both arms carry the same
   * origin the difference of means is taken from these, keeping the digits that
   * mean_t − mean_c cancels (two means near 1e9 are each rounded to 1.2e-7).
   */
  readonly shifted?: { readonly origin: number; readonly mean: number };
}

/** mean_t − mean_c, from the shifted means where both arms have them. */
export function differenceOfMeans(treatment: SampleMoments, control: SampleMoments): number {
  const t = treatment.shifted;
  const c = control.shifted;
  if (t === undefined || c === undefined) return treatment.mean - control.mean;
  return (t.origin - c.origin) + (t.mean - c.mean);
}

export type Interval = readonly [lower: number, upper: number];

export interface VariantEstimate {
  readonly n: number;
  /** Null with no units: an empty arm has no mean (0 would read as a measurement). */
  readonly mean: number | null;
  /** Sample standard deviation; null below 2 units. */
  readonly sd: number | null;
  /** Two-sided (1 - alpha) interval for the mean; null where it is undefined. */
  readonly ci: Interval | null;
}

/** Mean of a continuous metric with the t interval mean ± t(1 - α/2, n - 1)·sd/√n. */
export function describeMean(m: SampleMoments, alpha: number): VariantEstimate {
  if (m.n === 0) return { n: 0, mean: null, sd: null, ci: null };
  if (m.n < 2) return { n: m.n, mean: m.mean, sd: null, ci: null };
  const sd = Math.sqrt(m.variance);
  const half = studentTQuantile(1 - alpha / 2, m.n - 1) * sd / Math.sqrt(m.n);
  return { n: m.n, mean: m.mean, sd, ci: [m.mean - half, m.mean + half] };
}

/**
 * A 0/1 metric's rate with the Wilson score interval (Wilson 1927; R's
 * `prop.test(x, n, correct = FALSE)`), which, unlike the Wald interval, stays inside [0, 1]
 * and keeps its coverage near 0 and 1, where conversion rates live.
 */
export function describeProportion(successes: number, n: number, alpha: number): VariantEstimate {
  if (n === 0) return { n, mean: null, sd: null, ci: null };
  const p = successes / n;
  // sd of the 0/1 values with the n - 1 denominator, consistent with describeMean.
  const sd = n < 2 ? null : Math.sqrt((p * (1 - p) * n) / (n - 1));
  return { n, mean: p, sd, ci: wilsonInterval(successes, n, alpha) };
}

/**
 * The ends at 0 and n successes are exactly 0 and 1: the formula gives centre − half, which
 * rounds to a few ulps (5.55e-17) instead of the 0 it equals algebraically.
 */
export function wilsonInterval(successes: number, n: number, alpha: number): Interval {
  const z = zQuantile(1 - alpha / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  const lower = successes === 0 ? 0 : Math.max(0, centre - half);
  const upper = successes === n ? 1 : Math.min(1, centre + half);
  return [lower, upper];
}
