import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs, one line per notable event. Level from SWITCHYARD_LOG_LEVEL
 * (default info). Payloads, user ids and secrets are never logged.
 */
export function createLogger(name: string, level = process.env.SWITCHYARD_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['authorization', '*.authorization', 'token', '*.token'], remove: true },
  });
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
