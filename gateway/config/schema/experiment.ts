import { z } from 'zod';
import { expected } from './expect.js';

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
  weight: z.number({ error: expected('a percentage above 0 and at most 100') })
    .gt(0, { error: expected('a percentage above 0 and at most 100') })
    .max(100, { error: expected('a percentage above 0 and at most 100') }),
});

export const metricSchema = z.strictObject({
  name: z.string({ error: expected('a metric name') }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: expected('a metric name of letters, digits and underscores') }),
  /** proportion: each unit's value is 0 or 1 (clicked); mean: any number (revenue). */
  kind: z.enum(['proportion', 'mean'], { error: expected("'proportion' or 'mean'") }),
});

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
});

export type ExperimentUnit = z.infer<typeof unitSchema>;
export type VariantConfig = z.infer<typeof variantSchema>;
export type MetricConfig = z.infer<typeof metricSchema>;
export type ExperimentConfig = z.infer<typeof experimentSchema>;
