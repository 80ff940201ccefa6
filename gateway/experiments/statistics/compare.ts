import { differenceOfMeans, type Interval, type SampleMoments } from './describe.js';
import { studentTQuantile, twoSidedNormalP, twoSidedTP } from './distributions.js';
import type { Proportion } from './score-interval.js';

/** Treatment minus control, Welch's unequal-variance t-test (R's `t.test(x, y)`). */
export interface WelchResult {
  readonly difference: number;
  readonly standardError: number;
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  readonly pValue: number;
  readonly ci: Interval;
  /** The critical value t(1 − α/2, df) the interval used, for the lift interval of the same test. */
  readonly critical: number;
}

/** Null when either arm has fewer than 2 units or both have zero variance (no test exists). */
export function welchTest(treatment: SampleMoments, control: SampleMoments, alpha: number): WelchResult | null {
  if (treatment.n < 2 || control.n < 2) return null;
  const vt = treatment.variance / treatment.n;
  const vc = control.variance / control.n;
  const standardError = Math.sqrt(vt + vc);
  if (standardError === 0) return null;
  const difference = differenceOfMeans(treatment, control);
  const t = difference / standardError;
  const df = (vt + vc) ** 2 / (vt ** 2 / (treatment.n - 1) + vc ** 2 / (control.n - 1));
  const critical = studentTQuantile(1 - alpha / 2, df);
  const half = critical * standardError;
  return { difference, standardError, t, df, pValue: twoSidedTP(t, df), ci: [difference - half, difference + half], critical };
}

/**
 * Two-proportion z-test with the pooled standard error under H0: p_t = p_c (R's
 * `prop.test(x, n, correct = FALSE)`, whose X-squared is z²; statsmodels `proportions_ztest`).
 * Its interval is the score interval that inverts this same test (score-interval.ts).
 */
export interface TwoProportionResult {
  readonly difference: number;
  readonly z: number;
  readonly pValue: number;
}

/** Null when an arm has no units, or when no unit or every unit converted (no variance). */
export function twoProportionZTest(treatment: Proportion, control: Proportion): TwoProportionResult | null {
  if (treatment.n === 0 || control.n === 0) return null;
  const pooled = (treatment.successes + control.successes) / (treatment.n + control.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / treatment.n + 1 / control.n));
  if (pooledSe === 0) return null;
  const difference = treatment.successes / treatment.n - control.successes / control.n;
  const z = difference / pooledSe;
  return { difference, z, pValue: twoSidedNormalP(z) };
}
