import type { z } from 'zod';
import type { ConfigFinding } from './errors.js';
import { error } from './errors.js';
import { describeValue } from './schema/expect.js';
import { didYouMean } from './suggest.js';

type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false', int: 'a whole number',
};

/**
 * Parses with zod and turns every issue into a finding with a sentence a person can act on.
 * Schemas name what they expect with their own error callbacks (schema/expect.ts); the map
 * here covers what is left, and remembers each strict object's keys for "did you mean".
 */
export function parseWithFindings<S extends z.ZodType>(schema: S, data: unknown): { data: z.infer<S> } | { findings: ConfigFinding[] } {
  const knownKeys = new Map<string, string[]>();
  const result = schema.safeParse(data, {
    reportInput: true,
    error: (issue: RawIssue) => {
      if (issue.code === 'unrecognized_keys') {
        const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
        knownKeys.set(JSON.stringify(issue.path ?? []), Object.keys(shape ?? {}));
        return 'unknown key';
      }
      return genericMessage(issue);
    },
  });
  if (result.success) return { data: result.data };
  const findings: ConfigFinding[] = [];
  // Paths a "did you mean" already points to: "unknown key 'pathprefix'; did you mean
  // 'pathPrefix'?" says all that "pathPrefix is required" would, so the latter is dropped.
  const suggested = new Set<string>();
  const missing = new Set<string>();
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys.get(JSON.stringify(issue.path)) ?? [];
      for (const key of issue.keys) {
        const suggestion = didYouMean(key, known);
        if (suggestion !== undefined) suggested.add(JSON.stringify([...issue.path, suggestion]));
        findings.push(error([...issue.path, key], unknownKeyMessage(key, suggestion, known), 'key'));
      }
    } else if (issue.code === 'invalid_key') {
      // A bad name in a mapping of names (pools, backends): the inner issue says what a name must be.
      findings.push(error(issue.path, issue.issues[0]?.message ?? issue.message, 'key'));
    } else {
      if (issue.input === undefined) missing.add(JSON.stringify(issue.path));
      findings.push(error(issue.path, issue.message));
    }
  }
  return { findings: findings.filter((f) => !(missing.has(JSON.stringify(f.path)) && suggested.has(JSON.stringify(f.path)))) };
}

function unknownKeyMessage(key: string, suggestion: string | undefined, known: readonly string[]): string {
  if (suggestion !== undefined) return `unknown key '${key}'; did you mean '${suggestion}'?`;
  return `unknown key '${key}'; expected one of: ${known.join(', ')}`;
}

function genericMessage(issue: RawIssue): string {
  const found = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type': {
      const want = TYPE_NAMES[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `is required; expected ${want}` : `expected ${want}; found ${found}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.map((v) => describeValue(v)).join(' or ')}; found ${found}`;
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${issue.minimum} item(s)` : `expected at least ${issue.minimum}; found ${found}`;
    case 'too_big':
      return issue.origin === 'array' ? `takes at most ${issue.maximum} item(s)` : `expected at most ${issue.maximum}; found ${found}`;
    default:
      return `is not valid here; found ${found}`;
  }
}
