import { differenceOfMeans, type Interval } from './describe.js';
import { twoProportionZTest, welchTest } from './compare.js';
import { zQuantile } from './distributions.js';
import { fiellerLift, type MeanEstimate } from './fieller.js';
import { scoreDifferenceInterval, scoreRatioInterval } from './score-interval.js';
import { alwaysValidPValue, confidenceSequenceHalfWidth } from './sequential.js';
import type { Arm } from './arms.js';
import type { TestResult } from './types.js';

export interface CompareSettings {
  readonly alpha: number;
  readonly sequential: boolean;
  readonly sequentialTuningUnits: number;
}

/** A comparison before the family-wise correction. */
export interface RawComparison {
  /** Null when an arm has no units. */
  readonly difference: { readonly estimate: number | null; readonly ci: Interval | null };
  /** Null when the control mean is 0 or an arm has no units. */
  readonly relativeLift: { readonly estimate: number; readonly ci: Interval | null } | null;
  readonly test: TestResult | null;
  /** Why the test or an interval is missing, in words (empty when everything is given). */
  readonly notes: readonly string[];
}

export interface ArmNames {
  readonly treatment: string;
  readonly control: string;
}

/**
 * Treatment against control for one metric, with one inference behind every figure: the
 * p-value, the difference interval and the lift interval all invert the same test at the
 * same critical value, so p ≤ α exactly when each interval excludes 0.
 *  - fixed horizon, means: Welch's t; difference: its t interval; lift: Fieller at the same t quantile;
 *  - fixed horizon, proportions: the pooled z-test; difference and lift: score intervals that invert it;
 *  - sequential: the always-valid test on the unpooled standard error; difference: the confidence
 *    sequence; lift: Fieller at the sequence's multiplier.
 * Degenerate inputs (fewer than 2 units, an arm with no variance, no or only conversions)
 * give no test and no intervals, with the reason in `notes`; never a zero-width interval.
 */
export function compareArms(kind: 'proportion' | 'mean', treatment: Arm, control: Arm, s: CompareSettings, names: ArmNames = { treatment: 'treatment', control: 'control' }): RawComparison {
  const estimate = treatment.n === 0 || control.n === 0 ? null : differenceOfMeans(treatment, control);
  const liftEstimate = estimate === null || control.mean === 0 ? null : estimate / control.mean;
  const degenerate = degenerateReason(kind, treatment, control, names);
  if (estimate === null || degenerate !== null) {
    return {
      difference: { estimate, ci: null },
      relativeLift: liftEstimate === null ? null : { estimate: liftEstimate, ci: null },
      test: null,
      notes: degenerate === null ? [] : [degenerate],
    };
  }
  const inference = s.sequential
    ? sequentialInference(kind, treatment, control, estimate, s)
    : kind === 'proportion' ? fixedProportion(treatment, control, s.alpha) : fixedMean(treatment, control, s.alpha);
  const notes: string[] = [];
  if (liftEstimate === null) notes.push(`the ${names.control} mean is 0, so there is no relative lift; read the difference`);
  else if (inference.liftCi === 'unbounded') notes.push(`the ${names.control} mean is not distinguishable from 0 at this level, so the lift interval is unbounded and not shown; read the difference`);
  else if (inference.liftCi === 'no-conversions') notes.push(`no unit converted in ${names.treatment}, so the score interval for the lift is not an interval and is not shown; read the difference`);
  return {
    difference: { estimate, ci: inference.differenceCi },
    relativeLift: liftEstimate === null ? null : { estimate: liftEstimate, ci: typeof inference.liftCi === 'string' ? null : inference.liftCi },
    test: inference.test,
    notes,
  };
}

interface Inference {
  readonly test: TestResult;
  readonly differenceCi: Interval;
  readonly liftCi: Interval | 'unbounded' | 'no-conversions';
}

function degenerateReason(kind: 'proportion' | 'mean', treatment: Arm, control: Arm, names: ArmNames): string | null {
  for (const [name, arm] of [[names.treatment, treatment], [names.control, control]] as const) {
    if (arm.n < 2) return `no test: ${name} has ${arm.n} unit${arm.n === 1 ? '' : 's'} and a comparison needs at least 2 per arm`;
  }
  if (kind === 'proportion') {
    const successes = treatment.sum + control.sum;
    if (successes === 0) return `no test: no unit converted in ${names.treatment} or ${names.control}, so there is no variation to test`;
    if (successes === treatment.n + control.n) return `no test: every unit converted in ${names.treatment} and ${names.control}, so there is no variation to test`;
    return null;
  }
  for (const [name, arm] of [[names.treatment, treatment], [names.control, control]] as const) {
    if (!(arm.variance > 0)) return `no test: every unit in ${name} has the same value (${arm.mean}), so its variance is 0 and no interval would be honest`;
  }
  return null;
}

function fixedMean(treatment: Arm, control: Arm, alpha: number): Inference {
  const w = welchTest(treatment, control, alpha)!;
  const lift = fiellerLift(meanEstimate(treatment), meanEstimate(control), w.difference, w.critical);
  return {
    test: { method: 'welch-t', statistic: w.t, df: w.df, pValue: w.pValue },
    differenceCi: w.ci,
    liftCi: 'ci' in lift ? lift.ci : 'unbounded',
  };
}

function fixedProportion(treatment: Arm, control: Arm, alpha: number): Inference {
  const t = { successes: treatment.sum, n: treatment.n };
  const c = { successes: control.sum, n: control.n };
  const z = twoProportionZTest(t, c)!;
  const k = zQuantile(1 - alpha / 2);
  const ratio = control.sum > 0 && treatment.sum > 0 ? scoreRatioInterval(t, c, k) : null;
  return {
    test: { method: 'two-proportion-z', statistic: z.z, pValue: z.pValue },
    differenceCi: scoreDifferenceInterval(t, c, k),
    liftCi: ratio === null ? 'no-conversions' : [ratio[0] - 1, ratio[1] - 1],
  };
}

/** The always-valid test: the multiplier depends only on the units seen, so it serves every interval. */
function sequentialInference(kind: 'proportion' | 'mean', treatment: Arm, control: Arm, estimate: number, s: CompareSettings): Inference {
  const t = kind === 'proportion' ? bernoulliEstimate(treatment) : meanEstimate(treatment);
  const c = kind === 'proportion' ? bernoulliEstimate(control) : meanEstimate(control);
  const se = Math.sqrt(t.varianceOfMean + c.varianceOfMean);
  const units = treatment.n + control.n;
  const k = confidenceSequenceHalfWidth(1, units, s.alpha, s.sequentialTuningUnits);
  const lift = fiellerLift(t, c, estimate, k);
  // A rate difference lies in [−1, 1] and a rate ratio is ≥ 0; clipping never moves 0 in or out.
  const [low, high] = kind === 'proportion' ? [-1, 1] : [-Infinity, Infinity];
  return {
    test: { method: 'always-valid-mixture', statistic: estimate / se, pValue: alwaysValidPValue(estimate, se, units, s.alpha, s.sequentialTuningUnits) },
    differenceCi: [Math.max(low, estimate - k * se), Math.min(high, estimate + k * se)],
    liftCi: 'ci' in lift ? [kind === 'proportion' ? Math.max(-1, lift.ci[0]) : lift.ci[0], lift.ci[1]] : 'unbounded',
  };
}

function meanEstimate(arm: Arm): MeanEstimate {
  return { mean: arm.mean, varianceOfMean: arm.variance / arm.n };
}

/** The proportion tests' variance p(1 − p)/n (the n denominator, as the Wald and score forms use). */
function bernoulliEstimate(arm: Arm): MeanEstimate {
  return { mean: arm.mean, varianceOfMean: (arm.mean * (1 - arm.mean)) / arm.n };
}
