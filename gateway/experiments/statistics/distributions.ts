/**
 * Distribution functions from stdlib (maintained, tested against R and Boost), typed and
 * named for what the statistics need. Nothing here is hand-rolled numerics.
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
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

/** Upper tail P(X² ≥ x) of a chi-square with `df` degrees of freedom. */
export function chiSquareUpperP(x: number, df: number): number {
  return 1 - chisquareCdf(x, df);
}
