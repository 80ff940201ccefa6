import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { Arm } from './arms.js';

/** How the chance to beat control is labelled wherever it is shown. */
export const CHANCE_TO_BEAT_LABEL = 'Chance to beat control (Bayesian, flat prior, normal approximation)';

/**
 * The posterior probability that the treatment is better than control, as GrowthBook's default
 * Bayesian engine computes it with a flat prior: the relative lift λ = m_t/m_c − 1 is taken as
 * normal with the delta-method variance
 *   var(λ) = s_t²/(n_t·m_c²) + s_c²·m_t²/(n_c·m_c⁴),
 * (s² the per-unit variance: the sample variance for means, p(1 − p) for proportions), and
 * the chance is Φ(λ/sd(λ)) when higher is better, Φ(−λ/sd(λ)) when lower is. A negative
 * control mean flips the sign of λ against the difference, so the sign is taken from m_c.
 * Null when an arm has fewer than 2 units, the control mean is 0 (no relative lift) or both
 * arms have no variance: the same comparisons that have no test.
 */
export function chanceToBeatControl(kind: 'proportion' | 'mean', goal: 'increase' | 'decrease', treatment: Arm, control: Arm): number | null {
  if (treatment.n < 2 || control.n < 2 || control.mean === 0) return null;
  const st = perUnitVariance(kind, treatment);
  const sc = perUnitVariance(kind, control);
  const mc = control.mean;
  const lift = treatment.mean / mc - 1;
  const sd = Math.sqrt(st / (treatment.n * mc * mc) + (sc * treatment.mean * treatment.mean) / (control.n * mc ** 4));
  if (!(sd > 0)) return null;
  const z = (Math.sign(mc) * lift) / sd;
  return normalCdf(goal === 'increase' ? z : -z, 0, 1);
}

function perUnitVariance(kind: 'proportion' | 'mean', arm: Arm): number {
  return kind === 'proportion' ? arm.mean * (1 - arm.mean) : arm.variance;
}
