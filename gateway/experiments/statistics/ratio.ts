import type { Arm } from './arms.js';
import type { PairMoments } from './pair-moments.js';

/**
 * A ratio metric in one arm, R = Σnumerator / Σdenominator over the analysed units (revenue per
 * session: the arm's revenue over its sessions, not a mean of per-unit ratios). Its variance
 * by the delta method (first-order Taylor expansion of x̄/ȳ around the means; Deng, Knoblich &
 * Lu 2018, "Applying the Delta Method in Metric Analytics"):
 *   Var(R) ≈ (s_x² − 2R·s_xy + R²·s_y²) / (n·ȳ²)
 * with x the numerator, y the denominator, s the per-unit sample (co)variances. The arm is
 * returned as n units of mean R and per-unit variance n·Var(R), so the mean tests (Welch,
 * Fieller, sequential) run on it unchanged and read Var(R) as variance / n.
 * Null when the arm's denominator total is 0: the ratio is undefined there.
 */
export function ratioArm(pair: PairMoments): Arm | null {
  if (pair.n === 0) return { n: 0, mean: 0, variance: 0, sum: 0 };
  if (pair.sumY === 0) return null;
  const ratio = pair.sumX / pair.sumY;
  const linearised = (pair.varianceX - 2 * ratio * pair.covariance + ratio * ratio * pair.varianceY) / (pair.meanY * pair.meanY);
  return { n: pair.n, mean: ratio, variance: Math.max(0, linearised), sum: pair.sumX };
}
