import type { Interval } from './describe.js';

/** Successes out of n units. */
export interface Proportion {
  readonly successes: number;
  readonly n: number;
}

/**
 * Score intervals for two independent proportions, found by inverting the same score test
 * that gives the p-value (the pooled two-proportion z-test, R's `prop.test(correct = FALSE)`).
 *
 * For a null value of the difference δ (or of the ratio θ) the variance is evaluated at the
 * restricted maximum-likelihood estimates p̃_t, p̃_c under that null:
 *   z(δ) = (p̂_t − p̂_c − δ) / sqrt(p̃_t q̃_t/n_t + p̃_c q̃_c/n_c)          (Mee 1984)
 *   z(θ) = (p̂_t − θ·p̂_c)  / sqrt(p̃_t q̃_t/n_t + θ²·p̃_c q̃_c/n_c)       (Miettinen & Nurminen 1985,
 *                                                                       without their n/(n−1) factor)
 * and the interval is every null with |z| ≤ k. At δ = 0 or θ = 1 the restricted estimates are
 * the pooled rate, so z is the pooled z-test: the interval excludes the null exactly when
 * that test rejects. The difference interval lies within [−1, 1] and the ratio within
 * [0, ∞), and both exist with 0 or n successes in an arm.
 *
 * The restricted estimates maximize a concave one-parameter log-likelihood; they and the
 * interval ends are found by bisection to the last representable double, which is exact
 * to rounding and needs no starting point (the closed cubic form loses digits near its
 * branch points).
 */
export function scoreDifferenceInterval(t: Proportion, c: Proportion, k: number): Interval {
  const d = t.successes / t.n - c.successes / c.n;
  const outside = (delta: number) => (d - delta) ** 2 > k * k * differenceVariance(t, c, delta);
  return [d <= -1 ? -1 : bisect(-1, d, outside), d >= 1 ? 1 : bisect(1, d, outside)];
}

/**
 * Interval for the ratio p_t/p_c; both arms need at least one success. (With none in the
 * treatment, |z(θ)| stays above sqrt(x_c/(n_c − x_c)·n_c) as θ → 0, so the set of unrejected
 * ratios is not an interval; no ratio interval is reported then.)
 */
export function scoreRatioInterval(t: Proportion, c: Proportion, k: number): Interval {
  const pt = t.successes / t.n;
  const pc = c.successes / c.n;
  const ratio = pt / pc;
  const outside = (theta: number) => (pt - theta * pc) ** 2 > k * k * ratioVariance(t, c, theta);
  const lower = bisect(0, ratio, outside);
  // No finite end is known in advance: double until the null is rejected.
  let far = Math.max(2 * ratio, 1);
  while (!outside(far) && far < Number.MAX_VALUE / 4) far *= 2;
  return [lower, bisect(far, ratio, outside)];
}

function differenceVariance(t: Proportion, c: Proportion, delta: number): number {
  // Log-likelihood in p_c with p_t = p_c + δ, on p_c ∈ [max(0, −δ), min(1, 1 − δ)].
  const slope = (pc: number) => bernoulliSlope(t, pc + delta, 1) + bernoulliSlope(c, pc, 1);
  const pc = maximizeConcave(Math.max(0, -delta), Math.min(1, 1 - delta), slope);
  const pt = pc + delta;
  return (pt * (1 - pt)) / t.n + (pc * (1 - pc)) / c.n;
}

function ratioVariance(t: Proportion, c: Proportion, theta: number): number {
  // Log-likelihood in p_c with p_t = θ·p_c, on p_c ∈ [0, min(1, 1/θ)].
  const slope = (pc: number) => bernoulliSlope(t, theta * pc, theta) + bernoulliSlope(c, pc, 1);
  const pc = maximizeConcave(0, Math.min(1, 1 / theta), slope);
  const pt = theta * pc;
  return (pt * (1 - pt)) / t.n + (theta * theta * pc * (1 - pc)) / c.n;
}

/**
 * d/dp_c of x·ln p + (n − x)·ln(1 − p) where p = scale·p_c; terms with no count are absent
 * (0·ln 0 = 0), so the slope is finite wherever the likelihood is.
 */
function bernoulliSlope(arm: Proportion, p: number, scale: number): number {
  const failures = arm.n - arm.successes;
  return scale * ((arm.successes > 0 ? arm.successes / p : 0) - (failures > 0 ? failures / (1 - p) : 0));
}

/** Arg max on [lo, hi] of a concave function given its (decreasing) slope. */
function maximizeConcave(lo: number, hi: number, slope: (x: number) => number): number {
  if (lo >= hi) return lo;
  if (!(slope(lo) > 0)) return lo;
  if (!(slope(hi) < 0)) return hi;
  return bisect(hi, lo, (x) => slope(x) < 0);
}

/**
 * The boundary between `inside` (where `outside` is false) and `out` (where it is true),
 * for a predicate that flips once between them; returns the last point not outside.
 */
function bisect(out: number, inside: number, outside: (x: number) => boolean): number {
  let o = out;
  let i = inside;
  for (;;) {
    const mid = i + (o - i) / 2;
    if (mid === i || mid === o) return i;
    if (outside(mid)) o = mid;
    else i = mid;
  }
}
