import type { IncomingHttpHeaders } from 'node:http';
import type { ExperimentUnit } from '../config/schema.js';

/**
 * Where a canary route reads its sticky unit when the config does not say: this header. A
 * request without it is split at random. (A `rollout.unit` key, same syntax as
 * `experiment.unit`, is proposed to the config schema; it is read here when present.)
 */
export const DEFAULT_ROLLOUT_UNIT: ExperimentUnit = { source: 'header', name: 'x-switchyard-unit' };

/** The unit id of a request, or undefined when it has none (absent or empty). */
export function readUnit(unit: ExperimentUnit, headers: IncomingHttpHeaders): string | undefined {
  if (unit.source === 'header') {
    const value = headers[unit.name];
    const text = Array.isArray(value) ? value[0] : value;
    return text === undefined || text === '' ? undefined : text;
  }
  return readCookie(headers.cookie, unit.name);
}

/** One cookie's value from a Cookie header (RFC 6265 §5.4 pairs), quotes removed. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value === '' ? undefined : value;
  }
  return undefined;
}
