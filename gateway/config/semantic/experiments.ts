import { CONTROL_VARIANT } from '../defaults.js';
import type { ConfigFinding } from '../errors.js';
import { error } from '../errors.js';
import type { ExperimentConfig } from '../schema.js';
import type { Check } from './context.js';
import { trim } from '../schema/ratios.js';
import { checkMetricKinds } from './experiment-metrics.js';

/** The history sampler looks once a second, so a shorter interval could not be kept. */
const MIN_HISTORY_INTERVAL_MS = 1000;

// Weights are percentages with a 0.01 % resolution (the bucket space is 10 000 wide).
const WEIGHT_TOLERANCE = 1e-9;

/** Variants that add up, a single control, and ids unique across routes (they key the results). */
export const checkExperiments: Check = (config) => {
  const findings: ConfigFinding[] = [];
  const ids = new Map<string, string>();
  config.routes.forEach((route, i) => {
    const experiment = route.experiment;
    if (experiment === undefined) return;
    const at = ['routes', i, 'experiment'];
    const owner = ids.get(experiment.id);
    if (owner !== undefined) {
      findings.push(error([...at, 'id'], `experiment '${experiment.id}' is already used by route '${owner}'; experiment ids must be unique because results are kept per id`));
    } else ids.set(experiment.id, route.name);
    if (route.seed !== undefined) {
      findings.push(error(['routes', i, 'seed'], `is set on a route with an experiment; set experiment.seed instead, so the outcomes API hashes units the same way`));
    }
    findings.push(...checkVariants(experiment, at), ...checkMetrics(experiment, at), ...checkMetricKinds(experiment, at), ...checkMetricRoles(experiment, at));
    if (experiment.historyInterval < MIN_HISTORY_INTERVAL_MS) {
      findings.push(error([...at, 'historyInterval'], `is ${experiment.historyInterval} ms; the results are recorded at most once a second, so it must be at least 1s`));
    }
    const primary = experiment.primaryMetric;
    if (primary !== undefined && !experiment.metrics.some((m) => m.name === primary)) {
      const names = experiment.metrics.map((m) => m.name).join(', ') || 'none declared';
      findings.push(error([...at, 'primaryMetric'], `names metric '${primary}', which the experiment does not declare (metrics: ${names})`));
    }
    if (experiment.metrics.find((m) => m.name === primary)?.kind === 'covariate') {
      findings.push(error([...at, 'primaryMetric'], `names metric '${primary}' of kind covariate, which is not analysed on its own; name the metric it adjusts`));
    }
  });
  return findings;
};

function checkVariants(experiment: ExperimentConfig, at: readonly PropertyKey[]): ConfigFinding[] {
  const variants = experiment.variants;
  const path = [...at, 'variants'];
  if (variants.length < 2) {
    return [error(path, `has ${variants.length} variant(s); an experiment needs '${CONTROL_VARIANT}' and at least one other variant`)];
  }
  const findings: ConfigFinding[] = [];
  const seen = new Set<string>();
  variants.forEach((v, j) => {
    if (seen.has(v.name)) findings.push(error([...path, j, 'name'], `variant '${v.name}' appears twice; variant names must be unique`));
    seen.add(v.name);
  });
  if (!seen.has(CONTROL_VARIANT)) {
    findings.push(error(path, `has no variant named '${CONTROL_VARIANT}'; name the baseline variant '${CONTROL_VARIANT}' (found: ${variants.map((v) => v.name).join(', ')})`));
  }
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (Math.abs(total - 100) > WEIGHT_TOLERANCE) {
    const fractions = Math.abs(total - 1) <= WEIGHT_TOLERANCE ? `; these read like fractions: write ${variants.map((v) => trim(v.weight * 100)).join(' and ')}` : '';
    findings.push(error(path, `variant weights add up to ${Number(total.toFixed(4))}; they are percentages and must add up to 100${fractions}`));
  }
  return findings;
}

function checkMetrics(experiment: ExperimentConfig, at: readonly PropertyKey[]): ConfigFinding[] {
  const seen = new Set<string>();
  return experiment.metrics.flatMap((metric, j) => {
    if (!seen.has(metric.name)) {
      seen.add(metric.name);
      return [];
    }
    return [error([...at, 'metrics', j, 'name'], `metric '${metric.name}' appears twice; metric names must be unique`)];
  });
}

/**
 * One primary at most, named the same way by `primaryMetric` and `role`; a guardrail is never the
 * primary; a covariate has no role (it is read by CUPED only, never compared).
 */
export function checkMetricRoles(experiment: ExperimentConfig, at: readonly PropertyKey[]): ConfigFinding[] {
  const findings: ConfigFinding[] = [];
  experiment.metrics.forEach((m, j) => {
    if (m.kind === 'covariate' && m.role !== 'secondary') {
      findings.push(error([...at, 'metrics', j, 'role'], `is ${m.role} on metric '${m.name}' of kind covariate, which is not analysed on its own; give the role to the metric it adjusts`));
    }
  });
  const primaries = experiment.metrics.flatMap((m, j) => (m.role === 'primary' ? [[m.name, j] as const] : []));
  for (const [name, j] of primaries.slice(1)) {
    findings.push(error([...at, 'metrics', j, 'role'], `metric '${name}' is a second primary (the first is '${primaries[0]![0]}'); an experiment has one primary metric: make the others secondary`));
  }
  const named = experiment.primaryMetric;
  const declared = primaries[0];
  if (named !== undefined && declared !== undefined && declared[0] !== named) {
    findings.push(error([...at, 'primaryMetric'], `names '${named}' but metric '${declared[0]}' has role primary; name one primary metric, in either place`));
  }
  const guardrail = experiment.metrics.find((m) => m.name === named && m.role === 'guardrail');
  if (guardrail !== undefined) {
    findings.push(error([...at, 'primaryMetric'], `names '${named}', which has role guardrail; the primary metric decides "ship" and a guardrail only blocks it: choose another primary or make '${named}' primary`));
  }
  return findings;
}
