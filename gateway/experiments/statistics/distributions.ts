/**
 * Distribution functions from stdlib (maintained, tested against R and Boost), typed and
 * named for what the statistics need. Nothing here is hand-rolled numerics.
 */
import gammainc from '@stdlib/math-base-special-gammainc';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** z such that P(Z ≤ z) = p for a standard normal Z. */
export function zQuantile(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** Two-sided p-value of a standard normal statistic. */
export function twoSidedNormalP(z: number): number {
  return 2 * normalCdf(-Math.abs(z), 0, 1);
}

/** t such that P(T ≤ t) = p for Student's t with `df` degrees of freedom (df may be fractional). */
export function studentTQuantile(p: number, df: number): number {
  return tQuantile(p, df);
}

/** Two-sided p-value of a t statistic. */
export function twoSidedTP(t: number, df: number): number {
  return 2 * tCdf(-Math.abs(t), df);
}

/**
 * Upper tail P(X² ≥ x) of a chi-square with `df` degrees of freedom, as R's
 * `pchisq(x, df, lower.tail = FALSE)`: the regularized upper incomplete gamma Q(df/2, x/2),
 * computed directly. 1 − CDF would round to 0 once the tail drops below 2⁻⁵³ (χ² ≈ 37 at
 * df 1); Q keeps full relative precision down to the smallest doubles.
 */
export function chiSquareUpperP(x: number, df: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}
