import { z } from 'zod';
import { DEFAULT_EXPERIMENT_ALPHA, DEFAULT_EXPERIMENT_HISTORY_INTERVAL_MS, DEFAULT_EXPERIMENT_MDE, DEFAULT_EXPERIMENT_POWER } from '../defaults.js';
import { expected } from './expect.js';
import { durationMs } from './units.js';
import { fraction, percentage } from './ratios.js';

const UNIT_RULE = "'header:NAME' or 'cookie:NAME', naming where the user id is read from";
const ID_RULE = 'an id of letters, digits, dots, dashes and underscores (it appears in /v1/experiments/ID)';

/** `header:x-user-id` or `cookie:uid`; header names are case-insensitive, so they are lower-cased. */
export const unitSchema = z
  .string({ error: expected(UNIT_RULE) })
  .regex(/^(header:[!#$%&'*+.^_`|~0-9A-Za-z-]+|cookie:[!#$%&'*+.^_`|~0-9A-Za-z-]+)$/, { error: expected(UNIT_RULE) })
  .transform((text) => {
    const [source, name] = text.split(':') as ['header' | 'cookie', string];
    return { source, name: source === 'header' ? name.toLowerCase() : name };
  });

export const variantSchema = z.strictObject({
  name: z.string({ error: expected('a variant name') }).min(1, { error: expected('a variant name') }),
  backend: z.string({ error: expected('the name of a backend') }),
  /** Share of units, percent; the variants' weights add up to 100. */
  weight: percentage({ positive: true }),
});

const METRIC_NAME_RULE = 'a metric name of letters, digits and underscores';
const metricName = () => z.string({ error: expected(METRIC_NAME_RULE) }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: expected(METRIC_NAME_RULE) });
const CAP_RULE = "{value: N} (a fixed cap, above 0) or {percentile: P} (0 < P < 1, of the pooled per-unit values)";

/**
 * Winsorization of a mean metric: per-unit totals above the cap count as the cap. Either a
 * fixed value in the metric's unit, or a percentile (0.99 = the 99th) of the per-unit totals of
 * every analysed unit with an outcome, pooled across the arms, computed at results time.
 */
export const capSchema = z.union([
  z.strictObject({ value: z.number({ error: expected(CAP_RULE) }).gt(0, { error: expected(CAP_RULE) }) }),
  z.strictObject({ percentile: z.number({ error: expected(CAP_RULE) }).gt(0, { error: expected(CAP_RULE) }).lt(1, { error: expected(CAP_RULE) }) }),
], { error: expected(CAP_RULE) });

export const metricSchema = z.strictObject({
  name: metricName(),
  /**
   * proportion: each unit's value is 0 or 1 (clicked); mean: any number (revenue); ratio:
   * Σnumerator / Σdenominator over units, two mean metrics named below (revenue per session);
   * covariate: a pre-exposure value per unit, posted like any metric, read only by the CUPED
   * adjustment of the metrics that name it and not reported on its own.
   */
  kind: z.enum(['proportion', 'mean', 'ratio', 'covariate'], { error: expected("'proportion', 'mean', 'ratio' or 'covariate'") }),
  /** kind ratio only: the mean metrics whose per-unit totals are the ratio's numerator and denominator. */
  numerator: metricName().optional(),
  denominator: metricName().optional(),
  /** kind mean only: adjust with CUPED on this covariate metric (kind covariate). */
  cuped: z.strictObject({ covariate: metricName() }, { error: expected('{covariate: NAME}, naming a metric of kind covariate') }).optional(),
  /** kind mean only: cap each unit's total before the analysis. */
  cap: capSchema.optional(),
  /** Which way is better, for the verdict and the recommendation. Default: increase. */
  goal: z.enum(['increase', 'decrease'], { error: expected("'increase' or 'decrease'") }).default('increase'),
  /**
   * Exposed units without an outcome for this metric: 'zero' (default) counts them as 0, so a
   * rate is per exposed unit; 'exclude' leaves them out (a rating only some units give).
   */
  missing: z.enum(['zero', 'exclude'], { error: expected("'zero' or 'exclude'") }).default('zero'),
  /**
   * primary: the metric the recommendation is about (at most one; or name it in primaryMetric);
   * secondary (default): reported and corrected with the primary; guardrail: must not get
   * significantly worse, or "ship" is blocked (docs/experiments.md, "Guardrail metrics").
   */
  role: z.enum(['primary', 'secondary', 'guardrail'], { error: expected("'primary', 'secondary' or 'guardrail'") }).default('secondary'),
});

const between = (fallback: number) => fraction({ example: fallback, exclusive: true }).default(fallback);

/**
 * A sticky A/B experiment: a unit is hashed with `seed` (default: `id`) into a variant, the
 * same way in every replica and in the outcomes API. The variant named `control` is the
 * baseline; requests without a unit are served control and not counted.
 */
export const experimentSchema = z.strictObject({
  id: z.string({ error: expected(ID_RULE) }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: expected(ID_RULE) }),
  seed: z.string({ error: expected('a seed string') }).min(1, { error: expected('a seed string') }).optional(),
  unit: unitSchema,
  variants: z.array(variantSchema, { error: expected('a list of variants, each {name, backend, weight}') }),
  metrics: z.array(metricSchema, { error: expected('a list of metrics, each {name, kind}') }).default([]),
  /** The metric the recommendation is about; default: the first metric. */
  primaryMetric: z.string({ error: expected('the name of one of the experiment\'s metrics') }).optional(),
  /** Two-sided significance level; default 0.05. */
  alpha: between(DEFAULT_EXPERIMENT_ALPHA),
  /** Chance of detecting an effect of minimumDetectableEffect, for the planned sample size; default 0.8. */
  power: between(DEFAULT_EXPERIMENT_POWER),
  /** Smallest relative change on the primary metric worth detecting: 0.05 = 5 %; default 0.05. */
  minimumDetectableEffect: between(DEFAULT_EXPERIMENT_MDE),
  /**
   * true: always-valid intervals and p-values, safe to read at every look (peeking); false
   * (default): fixed-horizon figures, valid once, at the planned sample size.
   */
  sequential: z.boolean({ error: expected('true or false') }).default(false),
  /**
   * How p-values are adjusted across the primary and secondary comparisons (every such metric ×
   * treatment): holm (default; family-wise error rate), benjamini-hochberg (false discovery
   * rate) or none. Guardrails are not in the family.
   */
  multipleComparisons: z.enum(['holm', 'benjamini-hochberg', 'none'], { error: expected("'holm', 'benjamini-hochberg' or 'none'") }).default('holm'),
  /** How often the gateway records the cumulative results of the running experiment, for the lift over time; default 5m. */
  historyInterval: durationMs().default(DEFAULT_EXPERIMENT_HISTORY_INTERVAL_MS),
});

export type ExperimentUnit = z.infer<typeof unitSchema>;
export type VariantConfig = z.infer<typeof variantSchema>;
export type MetricConfig = z.infer<typeof metricSchema>;
export type ExperimentConfig = z.infer<typeof experimentSchema>;
