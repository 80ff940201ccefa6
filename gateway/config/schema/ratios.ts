import { z } from 'zod';
import { describeValue } from './expect.js';

/**
 * The two forms a share takes in the config, and only these two:
 *
 * - percentages, 0 to 100, in keys that say so: `weight`, `steps`, `percent`, `*Percent`;
 * - fractions, 0 to 1, everywhere else: `*Rate`, `minScore`, `minAgreement`, `maxDisagreement`,
 *   `alpha`, `power`, `minimumDetectableEffect`.
 *
 * A value in the band where the two forms overlap in meaning is refused with a hint rather than
 * read the wrong way: a fraction above 1 (5 meant as 5 %); where 1 switches the check off, a
 * fraction of exactly 1 (`maxErrorRate: 1` meant as 1 %); and a percentage between 0 and 1 in
 * the limits where so small a share means nothing (`budgetPercent`, `maxEjectionPercent`).
 * Traffic shares (`weight`, `steps`, `percent`) may be below 1 % (the split has 0.01 %
 * resolution); semantic/ratios.ts warns there instead, and steps or variant weights that read as
 * fractions as a whole are errors there. The list is in docs/config.md ("Percentages and fractions").
 */

function percentMessage(input: unknown): string {
  const found = describeValue(input);
  if (typeof input === 'number' && input > 0 && input < 1) {
    return `expected a percentage from 0 to 100; found ${found}, which reads like a fraction: this field is in percent, so write ${trim(input * 100)} for ${trim(input * 100)} % (below 1 % it would mean nothing here)`;
  }
  return input === undefined ? 'is required; expected a percentage from 0 to 100' : `expected a percentage from 0 to 100; found ${found}`;
}

/**
 * A percentage from 0 (or above 0 with `positive`) to 100. With `refuseBelowOne`, 0 < x < 1 is
 * refused as a likely fraction; without, it is a traffic share that may be that small.
 */
export function percentage(options: { positive?: boolean; refuseBelowOne?: boolean } = {}): z.ZodNumber {
  const error = (issue: { input?: unknown }): string =>
    options.positive === true && issue.input === 0 ? 'expected a percentage above 0 and at most 100; found 0' : percentMessage(issue.input);
  const base = z.number({ error });
  const bounded = (options.positive === true ? base.gt(0, { error }) : base.min(0, { error })).max(100, { error });
  if (options.refuseBelowOne !== true) return bounded;
  return bounded.refine((x) => !(x > 0 && x < 1), { error: (issue) => percentMessage(issue.input) });
}

export interface FractionOptions {
  /** An example in the message, e.g. 0.01 → "such as 0.01 for 1%". */
  readonly example: number;
  /** Bounds 0 and 1 excluded (significance levels, power). */
  readonly exclusive?: boolean;
  /** What 1 would mean, for fields where 1 turns the check off; 1 is then refused as a likely 1 %. */
  readonly oneMeans?: string;
}

/** A fraction from 0 to 1; a value above 1 (up to 100) is refused as a likely percentage. */
export function fraction(options: FractionOptions): z.ZodNumber {
  const rule = `a fraction ${options.exclusive === true ? 'between 0 and 1' : 'from 0 to 1'}, such as ${options.example} for ${trim(options.example * 100)}%`;
  const message = (input: unknown): string => {
    if (input === undefined) return `is required; expected ${rule}`;
    const found = describeValue(input);
    if (typeof input === 'number' && input > 1 && input <= 100) {
      return `expected ${rule}; found ${found}, which reads like a percentage: this field is a fraction, so write ${trim(input / 100)} for ${trim(input)} %`;
    }
    if (input === 1 && options.oneMeans !== undefined) {
      return `found 1, which ${options.oneMeans}, so the check could never fail; if you meant 1 %, write 0.01`;
    }
    return `expected ${rule}; found ${found}`;
  };
  const error = (issue: { input?: unknown }): string => message(issue.input);
  const base = z.number({ error });
  let bounded = options.exclusive === true ? base.gt(0, { error }).lt(1, { error }) : base.min(0, { error }).max(1, { error });
  if (options.oneMeans !== undefined) bounded = bounded.refine((x) => x !== 1, { error: () => message(1) }) as unknown as z.ZodNumber;
  return bounded;
}

/** 5.000000001 → 5; keeps hints free of float noise. */
export function trim(x: number): number {
  return Number(x.toPrecision(6));
}
