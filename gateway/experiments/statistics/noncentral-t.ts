/**
 * The noncentral t distribution function, which power calculations for t-tests need and
 * stdlib does not provide. This is Algorithm AS 243 (Lenth 1989, Appl. Statist. 38:185-189)
 * as R's `pnt` implements it: a series of regularized incomplete beta functions weighted by
 * Poisson probabilities, with the incomplete beta and log-gamma from stdlib. Its error bound
 * is 1e-12 absolute, as in R.
 */
import betainc from '@stdlib/math-base-special-betainc';
import gammaln from '@stdlib/math-base-special-gammaln';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

const ERROR_MAX = 1e-12;
const ITERATIONS_MAX = 1000;
const LN_SQRT_PI = 0.5 * Math.log(Math.PI);

/** P(T ≤ t) for T noncentral t with `df` degrees of freedom and noncentrality `ncp`. */
export function noncentralTCdf(t: number, df: number, ncp: number): number {
  const negative = t < 0;
  const tt = negative ? -t : t;
  const del = negative ? -ncp : ncp;
  // R's switch to a normal approximation for very large df (Abramowitz & Stegun 26.7.10).
  if (df > 4e5) {
    const k = 1 / (4 * df);
    const upper = normalCdf(tt * (1 - k), del, Math.sqrt(1 + tt * tt * 2 * k));
    return negative ? 1 - upper : upper;
  }
  const x = (tt * tt) / (tt * tt + df);
  let tnc = 0;
  if (x > 0) {
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    let q = Math.sqrt(2 / Math.PI) * p * del;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = (1 - x) ** b;
    const albeta = LN_SQRT_PI + gammaln(b) - gammaln(0.5 + b);
    let xodd = betainc(x, a, b, true, false);
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - albeta);
    const bx = b * x;
    let xeven = bx < Number.EPSILON ? bx : 1 - rxb;
    let geven = bx * rxb;
    tnc = p * xodd + q * xeven;
    for (let it = 1; it <= ITERATIONS_MAX; it++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      tnc += p * xodd + q * xeven;
      s -= p;
      // s is the Poisson mass not yet summed; past it (rounding) the series is complete.
      if (s <= 0 && it > 1) break;
      if (Math.abs(2 * s * (xodd - godd)) < ERROR_MAX) break;
    }
  }
  tnc += normalCdf(-del, 0, 1);
  const lower = negative ? 1 - tnc : tnc;
  return Math.min(1, Math.max(0, lower));
}
