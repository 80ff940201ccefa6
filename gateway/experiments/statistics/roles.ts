import type { MetricDefinition } from './types.js';

export type MetricRole = 'primary' | 'secondary' | 'guardrail';

/**
 * The metric the recommendation is about: the one `primaryMetric` names, else the one with
 * `role: primary`, else the first metric that is not a guardrail or a covariate (which is read by
 * CUPED only). Undefined when there is none.
 */
export function primaryMetricName(metrics: readonly MetricDefinition[], primaryMetric?: string): string | undefined {
  return primaryMetric
    ?? metrics.find((m) => m.role === 'primary')?.name
    ?? metrics.find((m) => m.role !== 'guardrail' && m.kind !== 'covariate')?.name;
}

/** A metric's role in the results: the primary is 'primary' whichever way it was chosen. */
export function roleOf(metric: MetricDefinition, primaryName: string | undefined): MetricRole {
  if (metric.name === primaryName) return 'primary';
  return metric.role === 'guardrail' ? 'guardrail' : 'secondary';
}
