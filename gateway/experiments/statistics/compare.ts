import type { Interval, SampleMoments } from './describe.js';
import { studentTQuantile, twoSidedNormalP, twoSidedTP, zQuantile } from './distributions.js';

/** Treatment minus control, Welch's unequal-variance t-test (R's `t.test(x, y)`). */
export interface WelchResult {
  readonly difference: number;
  readonly standardError: number;
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  readonly pValue: number;
  readonly ci: Interval;
}

/** Null when either arm has fewer than 2 units or both have zero variance (no test exists). */
export function welchTest(treatment: SampleMoments, control: SampleMoments, alpha: number): WelchResult | null {
  if (treatment.n < 2 || control.n < 2) return null;
  const vt = treatment.variance / treatment.n;
  const vc = control.variance / control.n;
  const standardError = Math.sqrt(vt + vc);
  if (standardError === 0) return null;
  const difference = treatment.mean - control.mean;
  const t = difference / standardError;
  const df = (vt + vc) ** 2 / (vt ** 2 / (treatment.n - 1) + vc ** 2 / (control.n - 1));
  const half = studentTQuantile(1 - alpha / 2, df) * standardError;
  return { difference, standardError, t, df, pValue: twoSidedTP(t, df), ci: [difference - half, difference + half] };
}

export interface Proportion {
  readonly successes: number;
  readonly n: number;
}

/**
 * Two-proportion z-test with the pooled standard error under H0: p_t = p_c (R's
 * `prop.test(x, n, correct = FALSE)`, whose X-squared is z²; statsmodels `proportions_ztest`).
 * The interval for the difference uses the unpooled (Wald) standard error, as both do.
 */
export interface TwoProportionResult {
  readonly difference: number;
  /** Unpooled, for the interval. */
  readonly standardError: number;
  readonly z: number;
  readonly pValue: number;
  readonly ci: Interval;
}

export function twoProportionZTest(treatment: Proportion, control: Proportion, alpha: number): TwoProportionResult | null {
  if (treatment.n === 0 || control.n === 0) return null;
  const pt = treatment.successes / treatment.n;
  const pc = control.successes / control.n;
  const pooled = (treatment.successes + control.successes) / (treatment.n + control.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / treatment.n + 1 / control.n));
  if (pooledSe === 0) return null;
  const difference = pt - pc;
  const z = difference / pooledSe;
  const standardError = Math.sqrt((pt * (1 - pt)) / treatment.n + (pc * (1 - pc)) / control.n);
  const half = zQuantile(1 - alpha / 2) * standardError;
  return { difference, standardError, z, pValue: twoSidedNormalP(z), ci: [difference - half, difference + half] };
}

/** Relative lift mean_t / mean_c - 1 and its delta-method standard error. */
export interface LiftEstimate {
  readonly lift: number;
  readonly standardError: number;
}

/**
 * Delta method for a ratio of independent means (Deng, Knoblich & Lu 2018, "Applying the
 * Delta Method in Metric Analytics", KDD, eq. 3):
 *   Var(m_t / m_c) ≈ Var(m_t)/m_c² + m_t²·Var(m_c)/m_c⁴,  Var(m) = s²/n.
 * Null when the control mean is 0 (no relative change exists) or an arm has no variance estimate.
 */
export function relativeLift(treatment: SampleMoments, control: SampleMoments): LiftEstimate | null {
  if (control.mean === 0 || treatment.n < 2 || control.n < 2) return null;
  const vt = treatment.variance / treatment.n;
  const vc = control.variance / control.n;
  const mc2 = control.mean * control.mean;
  const variance = vt / mc2 + (treatment.mean * treatment.mean * vc) / (mc2 * mc2);
  return { lift: treatment.mean / control.mean - 1, standardError: Math.sqrt(variance) };
}

/** estimate ± z(1 - α/2)·se. */
export function normalInterval(estimate: number, standardError: number, alpha: number): Interval {
  const half = zQuantile(1 - alpha / 2) * standardError;
  return [estimate - half, estimate + half];
}
