import type { Arm } from './arms.js';
import type { PairMoments } from './pair-moments.js';

/**
 * CUPED (Deng, Xu, Kohavi & Walker 2013): each unit's value Y is replaced by
 *   Y − θ·(X − X̄),   θ = Σ_arms S_xy / Σ_arms S_xx,
 * X a covariate measured before exposure, X̄ its mean over both arms, S the within-arm sums of
 * squares and cross-products. This θ, pooled within arms, is the coefficient of X in the
 * regression lm(Y ~ arm + X), and the adjusted difference of means is that regression's arm
 * coefficient. Because X precedes exposure, the adjustment leaves the expected difference
 * unchanged and removes the share of variance X explains. θ is treated as known, as CUPED
 * does, so the Welch test and Fieller interval run on the adjusted arms:
 *   mean' = ȳ − θ(x̄ − X̄),   s'² = s_y² − 2θ·s_xy + θ²·s_x².
 */
export interface CupedAdjustment {
  readonly treatment: Arm;
  readonly control: Arm;
  readonly theta: number;
  /** 1 − Var(adjusted difference)/Var(difference). */
  readonly varianceReduction: number;
}

/** Null when X has no variance within the arms (no covariate posted, or one value for all): nothing to adjust with. */
export function cupedAdjust(treatment: PairMoments, control: PairMoments): CupedAdjustment | null {
  const sxx = treatment.varianceX * (treatment.n - 1) + control.varianceX * (control.n - 1);
  if (!(sxx > 0) || treatment.n < 2 || control.n < 2) return null;
  const theta = (treatment.covariance * (treatment.n - 1) + control.covariance * (control.n - 1)) / sxx;
  const pooledX = (treatment.sumX + control.sumX) / (treatment.n + control.n);
  const adjust = (p: PairMoments): Arm => {
    const mean = p.meanY - theta * (p.meanX - pooledX);
    const variance = Math.max(0, p.varianceY - 2 * theta * p.covariance + theta * theta * p.varianceX);
    return { n: p.n, mean, variance, sum: mean * p.n };
  };
  const adjusted = { treatment: adjust(treatment), control: adjust(control) };
  const before = treatment.varianceY / treatment.n + control.varianceY / control.n;
  const after = adjusted.treatment.variance / treatment.n + adjusted.control.variance / control.n;
  return { ...adjusted, theta, varianceReduction: before > 0 ? 1 - after / before : 0 };
}
