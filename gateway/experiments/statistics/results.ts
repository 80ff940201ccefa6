import type { ExperimentSummary } from '../store/store.js';
import { describeArm, type Arm } from './arms.js';
import { capSummary } from './capping.js';
import { CHANCE_TO_BEAT_LABEL, chanceToBeatControl } from './chance-to-beat.js';
import type { RawComparison } from './compare-arms.js';
import { exposureJoinOf } from './exposure-join.js';
import { checkGuardrails } from './guardrails.js';
import { compareMetric, metricArm, metricExtras, reportedDefinition, type MetricComparison } from './metric-arms.js';
import { adjustPValues } from './multiple-comparisons.js';
import { recommend } from './recommend.js';
import { primaryMetricName, roleOf } from './roles.js';
import { unitsForMean, unitsForProportion } from './sample-size.js';
import { DEFAULT_SEQUENTIAL_TUNING_UNITS } from './sequential.js';
import { chiSquareGoodnessOfFit, formatSrmP, SRM_P_THRESHOLD } from './srm.js';
import type { Comparison, ExperimentDefinition, ExperimentResults, MetricDefinition, MetricResult, ResultsOptions, SampleRatioCheck } from './types.js';

export { DEFAULT_EXPERIMENT_ALPHA as DEFAULT_ALPHA, DEFAULT_EXPERIMENT_MDE as DEFAULT_MDE, DEFAULT_EXPERIMENT_POWER as DEFAULT_POWER } from '../../config/defaults.js';
import { DEFAULT_EXPERIMENT_ALPHA as DEFAULT_ALPHA, DEFAULT_EXPERIMENT_MDE as DEFAULT_MDE, DEFAULT_EXPERIMENT_POWER as DEFAULT_POWER } from '../../config/defaults.js';

/** The baseline: the variant named `control`, else the first declared. */
export function controlOf(definition: ExperimentDefinition): string {
  return definition.variants.find((v) => v.name === 'control')?.name ?? definition.variants[0]?.name ?? 'control';
}

/**
 * Everything a data scientist reads about an experiment, from the store's summary alone.
 * Pure: the same inputs give the same JSON.
 */
export function computeResults(declared: ExperimentDefinition, storeSummary: ExperimentSummary, options: ResultsOptions = {}): ExperimentResults {
  // Capped metrics are recomputed from the units' totals; covariates are read by CUPED, not reported.
  const { summary, capping } = capSummary(declared, storeSummary, options.units);
  const definition = reportedDefinition(declared);
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const power = options.power ?? DEFAULT_POWER;
  const mde = options.mde ?? DEFAULT_MDE;
  const sequential = options.sequential ?? false;
  const correction = options.correction ?? 'holm';
  const settings = { alpha, sequential, sequentialTuningUnits: options.sequentialTuningUnits ?? DEFAULT_SEQUENTIAL_TUNING_UNITS };
  const control = controlOf(definition);
  const treatments = definition.variants.map((v) => v.name).filter((name) => name !== control);
  // Own properties only: a variant named like an Object.prototype member must not read it.
  const stored = (name: string) => ownValue(summary.variants, name);
  const exposures = (name: string) => stored(name)?.exposures ?? 0;
  const primaryName = primaryMetricName(definition.metrics, options.primaryMetric);
  const warnings: string[] = [];

  const armsByMetric = definition.metrics.map((metric) => new Map(definition.variants.map((v) => [v.name, metricArm(metric, summary, v.name)] as const)));
  const raw: MetricComparison[][] = definition.metrics.map((metric, i) =>
    treatments.map((t) => compareMetric(metric, armsByMetric[i]!, summary, settings, { treatment: t, control })));

  // One family: every primary and secondary metric × treatment comparison that has a test.
  // Guardrails stay out of it: their harm test is not corrected (guardrails.ts).
  const roles = definition.metrics.map((m) => roleOf(m, primaryName));
  const inFamily = (i: number, c: RawComparison) => roles[i] !== 'guardrail' && c.test !== null;
  const pValues = raw.flatMap((cs, i) => cs.flatMap((c) => (inFamily(i, c) ? [c.test!.pValue] : [])));
  const adjusted = adjustPValues(correction, pValues);
  let next = 0;
  const metrics: MetricResult[] = definition.metrics.map((metric, i) => {
    const goal = metric.goal ?? 'increase';
    const comparisons = raw[i]!.map((c, j): Comparison => {
      const adjustedPValue = c.test === null ? null : inFamily(i, c) ? adjusted[next++]! : c.test.pValue;
      const significant = adjustedPValue !== null && adjustedPValue <= alpha;
      const estimate = c.difference.estimate ?? 0;
      const verdict = !significant || estimate === 0 ? 'inconclusive' : (estimate > 0) === (goal === 'increase') ? 'better' : 'worse';
      // From the arms the test compared (capped, CUPED-adjusted, a ratio's), so both figures agree.
      const chance = c.test === null ? null : chanceToBeatControl(c.compared.kind, goal, c.compared.treatment, c.compared.control);
      return { variant: treatments[j]!, difference: c.difference, relativeLift: c.relativeLift, test: c.test, adjustedPValue, significant, verdict, chanceToBeatControl: chance, ...(c.cuped !== undefined && { cuped: c.cuped }) };
    });
    const variants = definition.variants.map((v) => ({ variant: v.name, ...describeArm(armsByMetric[i]!.get(v.name)!, metric, alpha) }));
    return { name: metric.name, kind: metric.kind as MetricResult['kind'], goal, primary: metric.name === primaryName, role: roles[i]!, variants, comparisons, ...metricExtras(metric, capping) };
  });
  const guardrails = checkGuardrails(metrics, alpha);

  const sampleRatio = sampleRatioCheck(definition, exposures);
  if (sampleRatio.mismatch) warnings.push(`Sample ratio mismatch: exposures ${JSON.stringify(sampleRatio.observed)} against weights ${definition.variants.map((v) => `${v.name} ${v.weight} %`).join(', ')} (p ${formatSrmP(sampleRatio.pValue)} < ${SRM_P_THRESHOLD}): results are not trustworthy.`);
  for (const name of Object.keys(summary.variants)) {
    if (!definition.variants.some((v) => v.name === name)) warnings.push(`The store has data for variant '${name}', which the config does not declare; it is left out.`);
  }
  // Why a comparison has no test or no interval, after the warnings that concern the whole experiment.
  definition.metrics.forEach((metric, i) => raw[i]!.forEach((c, j) => {
    for (const note of c.notes) warnings.push(`${metric.name}, ${treatments[j]} vs ${control}: ${note}.`);
  }));
  const primaryIndex = definition.metrics.findIndex((m) => m.name === primaryName);
  const primaryMetric = definition.metrics[primaryIndex];
  const primaryArms = armsByMetric[primaryIndex];
  const unitsPerVariant = primaryMetric === undefined ? null
    : plannedUnits(primaryMetric, primaryArms!.get(control)!, treatments.map((t) => primaryArms!.get(t)!), { alpha, power, mde });
  const { join: exposureJoin, warnings: joinWarnings } = exposureJoinOf(definition, summary);
  warnings.push(...joinWarnings);
  for (const g of guardrails.filter((x) => x.harmed)) warnings.push(`Guardrail harmed: ${g.summary}; this blocks shipping ${g.variant}.`);
  if (sequential) warnings.push('Sequential intervals are wider than fixed-horizon ones; the planned sample size assumes a single look, so expect to need more units.');

  return {
    experimentId: definition.id,
    control,
    alpha,
    intervals: {
      kind: sequential ? 'always-valid' : 'fixed-horizon',
      level: 1 - alpha,
      variants: 'per variant: t interval for means, Wilson score interval for proportions (fixed-horizon)',
      comparisons: sequential
        ? 'always-valid confidence sequence (normal mixture, Howard et al. 2021; asymptotic form of Waudby-Smith et al. 2024), valid at every look; lift: Fieller interval at the same multiplier; not adjusted for multiple comparisons'
        : 'one test per comparison, every interval inverts it: means: Welch t interval for the difference, Fieller interval for the lift at the same t quantile; proportions: score intervals (Mee; Miettinen-Nurminen) that invert the pooled z-test; not adjusted for multiple comparisons',
    },
    correction: { method: correction, comparisons: pValues.length },
    chanceToBeatControl: { label: CHANCE_TO_BEAT_LABEL },
    guardrails,
    variants: definition.variants.map((v) => ({ name: v.name, weight: v.weight, exposures: exposures(v.name) })),
    sampleRatio,
    sampleSize: { metric: primaryMetric?.name ?? null, mde, power, unitsPerVariant: unitsPerVariant === null ? null : Math.ceil(unitsPerVariant) },
    metrics,
    recommendation: recommend({ sampleRatio, primary: metrics[primaryIndex], metrics, guardrails, unitsPerVariant, mde, sequential }),
    warnings,
    exposureJoin,
  };
}

function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

function sampleRatioCheck(definition: ExperimentDefinition, exposures: (name: string) => number): SampleRatioCheck {
  const observed = definition.variants.map((v) => exposures(v.name));
  const fit = chiSquareGoodnessOfFit(observed, definition.variants.map((v) => v.weight));
  const byName = (values: readonly number[]) => Object.fromEntries(definition.variants.map((v, i) => [v.name, values[i]!]));
  return {
    observed: byName(observed),
    expected: byName(fit?.expected ?? observed.map(() => 0)),
    chiSquare: fit?.statistic ?? null,
    df: fit?.df ?? null,
    pValue: fit?.pValue ?? null,
    mismatch: fit !== null && fit.pValue < SRM_P_THRESHOLD,
  };
}

/**
 * Planned units per variant. Means use both arms' variances (Welch); a treatment without a
 * variance yet is planned with the control's. With several treatments, the largest wins.
 */
function plannedUnits(metric: MetricDefinition, control: Arm, treatments: readonly Arm[], input: { alpha: number; power: number; mde: number }): number | null {
  if (control.n < 2) return null;
  if (metric.kind === 'proportion') return unitsForProportion(control.mean, input);
  const sizes = (treatments.length === 0 ? [control] : treatments).map((t) =>
    unitsForMean(control.mean, control.variance, t.n >= 2 && t.variance > 0 ? t.variance : control.variance, input));
  return sizes.some((n) => n === null) ? null : Math.max(...(sizes as number[]));
}
