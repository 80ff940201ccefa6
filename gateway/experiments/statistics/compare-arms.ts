import type { Interval } from './describe.js';
import { normalInterval, relativeLift, twoProportionZTest, welchTest } from './compare.js';
import { alwaysValidPValue, confidenceSequenceHalfWidth } from './sequential.js';
import { bernoulliMoments, type Arm } from './arms.js';
import type { TestResult } from './types.js';

export interface CompareSettings {
  readonly alpha: number;
  readonly sequential: boolean;
  readonly sequentialTuningUnits: number;
}

/** A comparison before the family-wise correction. */
export interface RawComparison {
  readonly difference: { readonly estimate: number; readonly ci: Interval | null };
  readonly relativeLift: { readonly estimate: number; readonly ci: Interval | null } | null;
  readonly test: TestResult | null;
}

/**
 * Treatment against control for one metric. Fixed horizon: Welch (means) or the pooled
 * two-proportion z-test (proportions), with their own difference intervals, and a normal
 * interval for the delta-method lift. Sequential: every interval is the confidence sequence
 * around the same estimate and unpooled standard error, and the p-value is always-valid.
 */
export function compareArms(kind: 'proportion' | 'mean', treatment: Arm, control: Arm, s: CompareSettings): RawComparison {
  const t = kind === 'proportion' ? bernoulliMoments(treatment) : treatment;
  const c = kind === 'proportion' ? bernoulliMoments(control) : control;
  const fixed = kind === 'proportion'
    ? fixedProportion(treatment, control, s.alpha)
    : fixedMean(treatment, control, s.alpha);
  const lift = relativeLift(t, c);
  const units = treatment.n + control.n;
  const estimate = treatment.mean - control.mean;

  if (!s.sequential) {
    return {
      difference: { estimate, ci: fixed?.ci ?? null },
      relativeLift: lift && { estimate: lift.lift, ci: normalInterval(lift.lift, lift.standardError, s.alpha) },
      test: fixed?.test ?? null,
    };
  }
  const se = fixed?.unpooledSe ?? 0;
  const half = (x: number) => confidenceSequenceHalfWidth(x, units, s.alpha, s.sequentialTuningUnits);
  const around = (center: number, width: number): Interval => [center - width, center + width];
  return {
    difference: { estimate, ci: se > 0 ? around(estimate, half(se)) : null },
    relativeLift: lift && { estimate: lift.lift, ci: lift.standardError > 0 ? around(lift.lift, half(lift.standardError)) : null },
    test: se > 0
      ? { method: 'always-valid-mixture', statistic: estimate / se, pValue: alwaysValidPValue(estimate, se, units, s.alpha, s.sequentialTuningUnits) }
      : null,
  };
}

interface Fixed {
  readonly ci: Interval;
  readonly test: TestResult;
  readonly unpooledSe: number;
}

function fixedMean(treatment: Arm, control: Arm, alpha: number): Fixed | null {
  const w = welchTest(treatment, control, alpha);
  return w && { ci: w.ci, test: { method: 'welch-t', statistic: w.t, df: w.df, pValue: w.pValue }, unpooledSe: w.standardError };
}

function fixedProportion(treatment: Arm, control: Arm, alpha: number): Fixed | null {
  const z = twoProportionZTest({ successes: treatment.sum, n: treatment.n }, { successes: control.sum, n: control.n }, alpha);
  return z && { ci: z.ci, test: { method: 'two-proportion-z', statistic: z.z, pValue: z.pValue }, unpooledSe: z.standardError };
}
