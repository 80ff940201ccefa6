import type { Interval } from './describe.js';

/** An estimate of a mean with the variance of that estimate (s²/n), from one arm. */
export interface MeanEstimate {
  readonly mean: number;
  /** Variance of the mean: s²/n for a sample mean. */
  readonly varianceOfMean: number;
}

/** Why a ratio interval could not be given. */
export type FiellerFailure = 'control-mean-zero' | 'unbounded';

/**
 * Fieller's interval (Fieller 1954) for the relative lift λ = μ_t/μ_c − 1 of two independent
 * arms: every λ that the same test as the difference would not reject,
 *   { λ : (d − λ·m_c)² ≤ k²·(v_t + (1 + λ)²·v_c) },   d = m_t − m_c,  v = variance of a mean,
 * with k the critical value of that test (Welch's t quantile, or the confidence-sequence
 * multiplier). At λ = 0 the condition is |d| ≤ k·sqrt(v_t + v_c), the difference test itself,
 * so the lift interval excludes 0 exactly when the difference interval does.
 * It is the quadratic A·λ² − 2B·λ + C ≤ 0 with
 *   A = m_c² − k²v_c,  B = d·m_c + k²v_c,  C = d² − k²(v_t + v_c),  B² − AC = k²(m_t²v_c + A·v_t),
 * written in λ (not in the ratio) so a lift of 1e-9 keeps its digits. It is a bounded interval
 * only when A > 0, that is when the control mean itself is distinguishable from 0; otherwise
 * the set is unbounded and no interval is reported.
 */
export function fiellerLift(treatment: MeanEstimate, control: MeanEstimate, difference: number, k: number): { readonly ci: Interval } | { readonly failure: FiellerFailure } {
  if (control.mean === 0) return { failure: 'control-mean-zero' };
  const k2 = k * k;
  const a = control.mean * control.mean - k2 * control.varianceOfMean;
  if (!(a > 0)) return { failure: 'unbounded' };
  const b = difference * control.mean + k2 * control.varianceOfMean;
  const c = difference * difference - k2 * (treatment.varianceOfMean + control.varianceOfMean);
  const root = k * Math.sqrt(treatment.mean * treatment.mean * control.varianceOfMean + a * treatment.varianceOfMean);
  // Roots (B ± root)/A without cancellation: q = B + sign(B)·root gives q/A and C/q.
  const q = b + (b >= 0 ? root : -root);
  if (q === 0) return { ci: [0, 0] };
  const ends = [q / a, c / q];
  return { ci: [Math.min(ends[0]!, ends[1]!), Math.max(ends[0]!, ends[1]!)] };
}
