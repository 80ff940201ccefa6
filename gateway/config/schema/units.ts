import { z } from 'zod';
import { describeValue } from './expect.js';

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const DURATION_WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

/** "500ms", "30s", "10m", "1h", "1m30s" → milliseconds (rounded); undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION_WHOLE.test(trimmed)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(DURATION_PART)) ms += Number(amount) * (DURATION_UNIT_MS[unit!] ?? 0);
  return Math.round(ms);
}

// Binary units are what memory and body limits are usually thought of in; decimal ones are accepted too.
const SIZE_UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3,
};
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i;

/** 4194304, "4MiB", "512KiB", "1.5MB" → bytes (rounded down); undefined when it is not a size. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE_PATTERN.exec(value.trim());
  const factor = match ? SIZE_UNIT_BYTES[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) return /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
  return Math.floor(Number(match[1]) * factor);
}

const DURATION_EXAMPLES = "a duration such as '500ms', '30s', '10m' or '1h'";

/** A duration field: a string with a unit in the YAML, milliseconds after parsing. */
export function durationMs(): z.ZodType<number, unknown> {
  return z.unknown().transform((input, ctx) => {
    const ms = typeof input === 'string' ? parseDuration(input) : undefined;
    if (ms !== undefined) return ms;
    const message =
      input === undefined ? `is required; expected ${DURATION_EXAMPLES}`
      : typeof input === 'number' ? `expected ${DURATION_EXAMPLES}; found ${input} without a unit (write '${input}ms' or '${input}s')`
      : `expected ${DURATION_EXAMPLES}; found ${describeValue(input)}`;
    ctx.issues.push({ code: 'custom', message, input });
    return z.NEVER;
  });
}

const SIZE_EXAMPLES = "a size in bytes or with a unit, such as 4194304, '4MiB' or '512KiB'";

/** A size field: bytes, or a string with a unit, in the YAML; bytes after parsing. */
export function byteSize(): z.ZodType<number, unknown> {
  return z.unknown().transform((input, ctx) => {
    const bytes = typeof input === 'string' || typeof input === 'number' ? parseByteSize(input) : undefined;
    if (bytes !== undefined) return bytes;
    const message = input === undefined ? `is required; expected ${SIZE_EXAMPLES}` : `expected ${SIZE_EXAMPLES}; found ${describeValue(input)}`;
    ctx.issues.push({ code: 'custom', message, input });
    return z.NEVER;
  });
}
