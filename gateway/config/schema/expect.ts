import { z } from 'zod';

/** How a value found in the YAML reads in an error message: what it is, not how JS prints it. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/**
 * A zod error callback for a leaf that names what the field wants, e.g.
 * "expected a duration such as '30s'; found 30" or "is required; expected a backend name".
 */
export function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? `is required; expected ${what}` : `expected ${what}; found ${describeValue(issue.input)}`);
}

/** Names of pools, backends, routes: they appear in metric labels, URLs and CLI arguments. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const NAME_RULE = 'a name of letters, digits, dots, dashes and underscores (at most 63, starting with a letter or digit)';

export function nameSchema(): z.ZodString {
  return z.string({ error: expected(NAME_RULE) }).regex(NAME_PATTERN, { error: expected(NAME_RULE) });
}

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

export const NAME_RULE_TEXT = NAME_RULE;
