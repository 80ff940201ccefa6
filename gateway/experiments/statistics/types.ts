import type { ExportedUnit } from '../store/store.js';
import type { Interval, VariantEstimate } from './describe.js';
import type { CorrectionMethod } from './multiple-comparisons.js';
import type { MetricRole } from './roles.js';

/** What computeResults needs from an experiment's config (ExperimentConfig fits it). */
export interface ExperimentDefinition {
  readonly id: string;
  /** Weights in percent; the variant named `control` is the baseline, else the first. */
  readonly variants: readonly { readonly name: string; readonly weight: number }[];
  readonly metrics: readonly MetricDefinition[];
}

export interface MetricDefinition {
  readonly name: string;
  /** ratio: Σnumerator/Σdenominator per arm (delta method); covariate: read by CUPED only, not reported. */
  readonly kind: 'proportion' | 'mean' | 'ratio' | 'covariate';
  /** kind ratio: the metrics whose per-unit totals are the numerator and the denominator. */
  readonly numerator?: string;
  readonly denominator?: string;
  /** kind mean: CUPED adjustment on this covariate metric. */
  readonly cuped?: { readonly covariate: string };
  /** kind mean: winsorization of the per-unit totals, a fixed value or a pooled percentile. */
  readonly cap?: { readonly value: number } | { readonly percentile: number };
  /** Which way is better. Default 'increase'. */
  readonly goal?: 'increase' | 'decrease';
  /**
   * Exposed units with no outcome for the metric: 'zero' (default) counts them as 0, so a rate
   * is conversions per exposed unit and revenue is per exposed unit; 'exclude' leaves them out
   * (for metrics only some units can have, such as a rating).
   */
  readonly missing?: 'zero' | 'exclude';
  /** primary | secondary (default) | guardrail: a significant harm on a guardrail blocks "ship". */
  readonly role?: MetricRole;
}

export interface ResultsOptions {
  /** Two-sided significance level. Default 0.05. */
  readonly alpha?: number;
  /** Probability of detecting an effect of size `mde`. Default 0.8. */
  readonly power?: number;
  /** Relative minimum detectable effect on the primary metric: 0.05 = a 5 % change. Default 0.05. */
  readonly mde?: number;
  /** Always-valid intervals and p-values, safe to read at every look. Default false. */
  readonly sequential?: boolean;
  /** Total units at which the confidence sequence is tightest; fixed in advance. Default 5000. */
  readonly sequentialTuningUnits?: number;
  /** Adjustment across every primary and secondary metric × treatment comparison. Default 'holm'. */
  readonly correction?: CorrectionMethod;
  /** The metric the recommendation is about. Default: the metric with role primary, else the first that is not a guardrail. */
  readonly primaryMetric?: string;
  /** Every unit's totals (the store's export), read only when a metric is capped (capping.ts). */
  readonly units?: readonly ExportedUnit[];
}

export type TestResult =
  | { readonly method: 'welch-t'; readonly statistic: number; readonly df: number; readonly pValue: number }
  | { readonly method: 'two-proportion-z'; readonly statistic: number; readonly pValue: number }
  | { readonly method: 'always-valid-mixture'; readonly statistic: number; readonly pValue: number };

export interface Comparison {
  readonly variant: string;
  /** Treatment minus control, in the metric's unit (a rate difference for proportions); null when an arm has no units. */
  readonly difference: { readonly estimate: number | null; readonly ci: Interval | null };
  /**
   * mean_t / mean_c − 1; null when the control mean is 0. Its interval inverts the same test as
   * the difference (Fieller for means, score for proportions), so both exclude 0 together;
   * null when the test is undefined or the control mean is not distinguishable from 0.
   */
  readonly relativeLift: { readonly estimate: number; readonly ci: Interval | null } | null;
  /** Null when no test is defined (too few units, no variance); the reason is in the results' warnings. */
  readonly test: TestResult | null;
  /** After the correction; equals the test's p with correction 'none' and for guardrails (not corrected). */
  readonly adjustedPValue: number | null;
  readonly significant: boolean;
  readonly verdict: 'better' | 'worse' | 'inconclusive';
  /** CUPED metrics: the adjustment behind every figure of this comparison (cuped.ts). */
  readonly cuped?: CupedReport;
  /**
   * Posterior probability that the treatment is better (goal-aware), flat prior, normal
   * approximation of the relative lift (chance-to-beat.ts), from the arms the test compared
   * (capped, CUPED-adjusted, a ratio's); beside the frequentist figures, never part of the
   * verdict. Null when no test is defined or the control mean is 0.
   */
  readonly chanceToBeatControl: number | null;
}

/** A capped metric's cap, as applied at results time. */
export interface CappingReport {
  /** 'value' (fixed) or 'percentile' (of the pooled per-unit totals). */
  readonly method: 'value' | 'percentile';
  /** The percentile asked for (0.99), for method 'percentile'. */
  readonly percentile: number | null;
  /** The cap in the metric's unit; null when no unit had an outcome yet (nothing to cap). */
  readonly cap: number | null;
  /** Per variant: analysed units whose total was above the cap and counted as the cap. */
  readonly cappedUnits: Readonly<Record<string, number>>;
}

/** CUPED for one comparison: Y − θ(X − X̄) over the control and this treatment's units. */
export interface CupedReport {
  readonly covariate: string;
  /** Pooled within-arm cov(Y, X) / var(X): the coefficient of X in lm(Y ~ arm + X). */
  readonly theta: number;
  /** 1 − var(adjusted difference)/var(unadjusted difference): the share of variance removed. */
  readonly varianceReduction: number;
  /** The unadjusted difference, for reference; every other figure is adjusted. */
  readonly unadjustedDifference: number;
}

export interface MetricResult {
  readonly name: string;
  readonly kind: 'proportion' | 'mean' | 'ratio';
  /** kind ratio: what it divides. */
  readonly ratio?: { readonly numerator: string; readonly denominator: string };
  /** Capped metrics: the cap applied and the units it capped (capping.ts). */
  readonly capping?: CappingReport;
  readonly goal: 'increase' | 'decrease';
  readonly primary: boolean;
  readonly role: MetricRole;
  readonly variants: readonly ({ readonly variant: string } & VariantEstimate)[];
  readonly comparisons: readonly Comparison[];
}

export interface SampleRatioCheck {
  readonly observed: Readonly<Record<string, number>>;
  readonly expected: Readonly<Record<string, number>>;
  readonly chiSquare: number | null;
  readonly df: number | null;
  readonly pValue: number | null;
  /** True when p < 0.001: the split itself is broken and no metric should be trusted. */
  readonly mismatch: boolean;
}

export type Action = 'ship' | 'keep control' | 'keep collecting' | 'investigate';

export interface Recommendation {
  readonly action: Action;
  /** The treatment to ship, for 'ship'. */
  readonly variant: string | null;
  /** Units per variant still needed for the planned sample size, for 'keep collecting'. */
  readonly unitsStillNeeded: Readonly<Record<string, number>> | null;
  readonly reason: string;
}

/** Plain JSON (no NaN or Infinity): what the results API returns and the CLI prints. */
export interface ExperimentResults {
  readonly experimentId: string;
  readonly control: string;
  readonly alpha: number;
  readonly intervals: {
    readonly kind: 'fixed-horizon' | 'always-valid';
    /** Confidence level of every interval, 1 − alpha. */
    readonly level: number;
    readonly variants: string;
    readonly comparisons: string;
  };
  /** The adjustment and how many comparisons it covered (primary and secondary metrics with a test). */
  readonly correction: { readonly method: CorrectionMethod; readonly comparisons: number };
  /** What the chance to beat control is, in words (a label to show beside it). */
  readonly chanceToBeatControl: { readonly label: string };
  /** Every guardrail × treatment: whether it shows a significant harm (which blocks "ship"). */
  readonly guardrails: readonly GuardrailCheck[];
  readonly variants: readonly { readonly name: string; readonly weight: number; readonly exposures: number }[];
  readonly sampleRatio: SampleRatioCheck;
  readonly sampleSize: {
    readonly metric: string | null;
    readonly mde: number;
    readonly power: number;
    /** Units per variant for the primary metric; null until the baseline is known. */
    readonly unitsPerVariant: number | null;
  };
  readonly metrics: readonly MetricResult[];
  readonly recommendation: Recommendation;
  readonly warnings: readonly string[];
  /** What the analysis joined on exposure and what it left out (exposure-join.ts). */
  readonly exposureJoin: ExposureJoin;
}

/**
 * A guardrail against one treatment. Harmed: the comparison's own two-sided test, not
 * corrected, has p ≤ alpha with the estimate on the worse side of the metric's goal; the
 * difference and lift intervals shown then exclude 0 on that side.
 */
export interface GuardrailCheck {
  readonly metric: string;
  readonly variant: string;
  readonly harmed: boolean;
  readonly difference: Comparison['difference'];
  readonly relativeLift: Comparison['relativeLift'];
  /** Two-sided, not corrected; null when there is no test. */
  readonly pValue: number | null;
  /** One line: the metric, the estimate, the interval and p, for the recommendation and warnings. */
  readonly summary: string;
}

/** The join of outcomes on exposure: units analysed per arm, and what was left out. */
export interface ExposureJoin {
  /** The rule, in words. */
  readonly rule: string;
  /** Per variant: units first exposed there and to no other arm (n of every metric with missing: zero). */
  readonly analysedUnits: Readonly<Record<string, number>>;
  /** Outcomes of units that were never exposed; share = units / (analysed units + these units), null with none of either. */
  readonly neverExposed: { readonly units: number; readonly outcomes: number; readonly share: number | null };
  /** Units exposed to more than one arm, by the arm they were first exposed to; share of exposed units. */
  readonly multiArm: { readonly units: number; readonly byVariant: Readonly<Record<string, number>>; readonly share: number | null };
  /** One line: "N outcomes from M units never exposed; K units exposed to more than one arm". */
  readonly leftOut: string;
}
