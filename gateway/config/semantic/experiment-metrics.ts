import type { ConfigFinding } from '../errors.js';
import { error } from '../errors.js';
import type { ExperimentConfig, MetricConfig } from '../schema.js';

/**
 * The references between an experiment's metrics: a ratio names two mean metrics, CUPED names
 * a covariate, and only mean metrics are capped or adjusted (a 0/1 metric has its own tests,
 * and a ratio's parts are capped or not where they are declared).
 */
export function checkMetricKinds(experiment: ExperimentConfig, at: readonly PropertyKey[]): ConfigFinding[] {
  const byName = new Map(experiment.metrics.map((m) => [m.name, m]));
  return experiment.metrics.flatMap((metric, j) => {
    const path = [...at, 'metrics', j];
    const findings: ConfigFinding[] = [];
    const wrongKind = (field: string, allowed: string) => error([...path, field], `is set on metric '${metric.name}' of kind ${metric.kind}; it applies to kind ${allowed} only`);
    if (metric.kind === 'ratio') {
      for (const part of ['numerator', 'denominator'] as const) findings.push(...checkReference(metric[part], byName, 'mean', [...path, part], `a ratio needs a ${part}: the name of a metric of kind mean`));
    } else {
      if (metric.numerator !== undefined) findings.push(wrongKind('numerator', 'ratio'));
      if (metric.denominator !== undefined) findings.push(wrongKind('denominator', 'ratio'));
    }
    if (metric.cuped !== undefined) {
      if (metric.kind !== 'mean') findings.push(wrongKind('cuped', 'mean'));
      else findings.push(...checkReference(metric.cuped.covariate, byName, 'covariate', [...path, 'cuped', 'covariate'], ''));
      // The adjustment needs the covariate of every unit analysed, and missing: exclude drops units by Y alone.
      if (metric.kind === 'mean' && metric.missing === 'exclude') findings.push(error([...path, 'cuped'], `needs missing: zero on metric '${metric.name}'; CUPED adjusts every analysed unit, and missing: exclude leaves out the units without an outcome`));
    }
    if (metric.cap !== undefined && metric.kind !== 'mean') findings.push(wrongKind('cap', 'mean'));
    return findings;
  });
}

function checkReference(name: string | undefined, byName: ReadonlyMap<string, MetricConfig>, kind: MetricConfig['kind'], path: readonly PropertyKey[], missing: string): ConfigFinding[] {
  if (name === undefined) return [error(path, `is required; ${missing}`)];
  const target = byName.get(name);
  if (target === undefined) {
    const candidates = [...byName.values()].filter((m) => m.kind === kind).map((m) => m.name).join(', ') || 'none declared';
    return [error(path, `names metric '${name}', which the experiment does not declare; expected a metric of kind ${kind} (found: ${candidates})`)];
  }
  if (target.kind !== kind) return [error(path, `names metric '${name}' of kind ${target.kind}; expected a metric of kind ${kind}`)];
  return [];
}
