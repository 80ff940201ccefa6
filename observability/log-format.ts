/**
 * How log records are written: `json` (one pino JSON object per line, for log shippers and
 * `| jq`) or `pretty` (one human-readable line per record, for a terminal).
 */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Environment variable that picks the format when `--log-format` is not given. */
export const LOG_FORMAT_ENV = 'SWITCHYARD_LOG_FORMAT';

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Fields every line shows in its fixed columns, or that say nothing to a person (pid, hostname). */
const FIXED_FIELDS = new Set(['time', 'level', 'name', 'component', 'msg', 'pid', 'hostname']);

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

/**
 * The format when the command line names none: the environment variable, else pretty on a
 * terminal and JSON on a pipe or file (so collectors and `| jq` get JSON without asking).
 */
export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = process.stdout.isTTY === true): LogFormat {
  const fromEnv = env[LOG_FORMAT_ENV];
  if (fromEnv !== undefined && isLogFormat(fromEnv)) return fromEnv;
  return stdoutIsTty ? 'pretty' : 'json';
}

/**
 * One pino record as a line: `HH:MM:SS.mmm LEVEL component message key=value ...`. The time
 * is the record's own (UTC, as pino wrote it); the component is the child logger's
 * `component` when it has one, else the logger's name. Values with spaces are JSON-quoted so
 * a line still splits on spaces. Long prose the message already contains is left out, and a
 * sha256 is shortened: the line is for a person; the JSON log has everything.
 */
export function formatPrettyLine(record: Record<string, unknown>): string {
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : new Date(Number(record.time)).toISOString().slice(11, 23);
  const level = (LEVEL_NAMES[Number(record.level)] ?? String(record.level)).padEnd(5);
  const component = String(record.component ?? record.name ?? '-');
  const msg = String(record.msg ?? '');
  const fields = Object.entries(record)
    .filter(([key, value]) => !FIXED_FIELDS.has(key) && value !== undefined && !repeatsMessage(value, msg))
    .map(([key, value]) => `${key}=${formatValue(key, value)}`);
  return [time, level, component, msg, ...fields].filter((part) => part !== '').join(' ');
}

/** Prose the message already says in full (a rollout's reason) is not repeated as a field. */
const REPEATED_PROSE_MIN_CHARS = 20;

function repeatsMessage(value: unknown, msg: string): boolean {
  return typeof value === 'string' && value.length >= REPEATED_PROSE_MIN_CHARS && msg.includes(value);
}

/** A sha256 shows its first 12 hex digits, as git shows commits; the JSON log keeps all 64. */
const SHORT_HASH_CHARS = 12;

function formatValue(key: string, value: unknown): string {
  if (key === 'sha256' && typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) return value.slice(0, SHORT_HASH_CHARS);
  // pino's error serializer: the message is what a person needs; the stack stays in JSON logs.
  if (key === 'err' && typeof value === 'object' && value !== null && 'message' in value) return quoteIfNeeded(String((value as { message: unknown }).message));
  if (typeof value === 'string') return quoteIfNeeded(value);
  return JSON.stringify(value);
}

function quoteIfNeeded(text: string): string {
  return text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/**
 * Rewrites one JSON log line as a pretty line; a line that is not a JSON object passes as it
 * is. For logs that arrive as JSON from another process (the workers `switchyard up` runs).
 */
export function prettifyJsonLine(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  return typeof record === 'object' && record !== null && !Array.isArray(record) ? formatPrettyLine(record as Record<string, unknown>) : line;
}
