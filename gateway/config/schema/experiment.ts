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

export const metricSchema = z.strictObject({
  name: z.string({ error: expected('a metric name') }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: expected('a metric name of letters, digits and underscores') }),
  /** proportion: each unit's value is 0 or 1 (clicked); mean: any number (revenue). */
  kind: z.enum(['proportion', 'mean'], { error: expected("'proportion' or 'mean'") }),
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
