import type { ExperimentSummary } from '../store/store.js';
import { armOf, type Arm } from './arms.js';
import { compareArms, type ArmNames, type CompareSettings, type RawComparison } from './compare-arms.js';
import { cupedAdjust } from './cuped.js';
import { analysedUnits } from './exposure-join.js';
import { pairMoments, type PairMoments } from './pair-moments.js';
import { ratioArm } from './ratio.js';
import type { CappingReport, CupedReport, ExperimentDefinition, MetricDefinition, MetricResult } from './types.js';

/**
 * Where each kind of metric meets the shared tests: every kind becomes per-arm moments (an Arm),
 * and every comparison goes through compareArms, so ratios and CUPED-adjusted means get the
 * same one-inference rule as plain means (Welch t, Fieller lift, or the sequential test).
 */

/** The metrics the results report: covariates are read by CUPED only. */
export function reportedDefinition(definition: ExperimentDefinition): ExperimentDefinition {
  return { ...definition, metrics: definition.metrics.filter((m) => m.kind !== 'covariate') };
}

function variantOf(summary: ExperimentSummary, name: string) {
  return Object.hasOwn(summary.variants, name) ? summary.variants[name] : undefined;
}

function ratioPair(metric: MetricDefinition, summary: ExperimentSummary, variant: string): PairMoments {
  return pairMoments(variantOf(summary, variant), analysedUnits(summary, variant), metric.numerator!, metric.denominator!);
}

/** A comparison, with the arms its test compared: every figure drawn from it reads these. */
export interface MetricComparison extends RawComparison {
  readonly cuped?: CupedReport;
  /** Capped, CUPED-adjusted or a ratio's linearised arms, as the test saw them; kind is the test's. */
  readonly compared: { readonly kind: 'proportion' | 'mean'; readonly treatment: Arm; readonly control: Arm };
}

/** The arm a variant's figures are described from (before any CUPED adjustment, which is per comparison). */
export function metricArm(metric: MetricDefinition, summary: ExperimentSummary, variant: string): Arm {
  if (metric.kind === 'ratio') return ratioArm(ratioPair(metric, summary, variant)) ?? { n: 0, mean: 0, variance: 0, sum: 0 };
  const stored = variantOf(summary, variant)?.metrics;
  return armOf(stored !== undefined && Object.hasOwn(stored, metric.name) ? stored[metric.name] : undefined, analysedUnits(summary, variant), metric);
}

/** A comparison with the kind's own inputs: ratio arms by the delta method, CUPED-adjusted arms, or the arms as they are. */
export function compareMetric(metric: MetricDefinition, arms: ReadonlyMap<string, Arm>, summary: ExperimentSummary, settings: CompareSettings, names: ArmNames): MetricComparison {
  const treatment = arms.get(names.treatment)!;
  const control = arms.get(names.control)!;
  const asIs = { kind: metric.kind === 'proportion' ? 'proportion' as const : 'mean' as const, treatment, control };
  if (metric.kind === 'ratio') {
    const undefinedIn = [names.treatment, names.control].filter((name) => ratioArm(ratioPair(metric, summary, name)) === null);
    const raw = compareArms('mean', treatment, control, settings, names);
    const notes = undefinedIn.length === 0 ? raw.notes : [...undefinedIn.map((name) => `no test: ${name} has no ${metric.denominator} (its total is 0), so the ratio ${metric.numerator}/${metric.denominator} is undefined there`), ...raw.notes.filter((n) => !n.startsWith('no test'))];
    return { ...raw, notes, compared: asIs };
  }
  if (metric.kind !== 'mean' || metric.cuped === undefined) return { ...compareArms(asIs.kind, treatment, control, settings, names), compared: asIs };
  const covariate = metric.cuped.covariate;
  const pair = (name: string) => pairMoments(variantOf(summary, name), analysedUnits(summary, name), covariate, metric.name);
  const adjustment = cupedAdjust(pair(names.treatment), pair(names.control));
  if (adjustment === null) {
    const raw = compareArms('mean', treatment, control, settings, names);
    if (treatment.n < 2 || control.n < 2) return { ...raw, compared: asIs };
    return { ...raw, notes: [...raw.notes, `not adjusted by CUPED: covariate '${covariate}' has no variance in these arms (posted for no unit, or the same value for all)`], compared: asIs };
  }
  const compared = { kind: 'mean' as const, treatment: adjustment.treatment, control: adjustment.control };
  const raw = compareArms('mean', compared.treatment, compared.control, settings, names);
  return { ...raw, cuped: { covariate, theta: adjustment.theta, varianceReduction: adjustment.varianceReduction, unadjustedDifference: treatment.mean - control.mean }, compared };
}

/** What a metric's result says about its kind, beyond the figures. */
export function metricExtras(metric: MetricDefinition, capping: Readonly<Record<string, CappingReport>>): Pick<MetricResult, 'ratio' | 'capping'> {
  return {
    ...(metric.kind === 'ratio' && { ratio: { numerator: metric.numerator!, denominator: metric.denominator! } }),
    ...(Object.hasOwn(capping, metric.name) && { capping: capping[metric.name]! }),
  };
}
