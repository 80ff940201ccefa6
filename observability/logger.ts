import { pino, type DestinationStream, type Logger } from 'pino';
import { defaultLogFormat, prettifyJsonLine, type LogFormat } from './log-format.js';

export type { Logger };

/** The format loggers created from now on write; the CLI sets it from `--log-format`. */
let currentFormat: LogFormat | undefined;

export function setLogFormat(format: LogFormat): void {
  currentFormat = format;
}

/** The format in effect: the one set, else $SWITCHYARD_LOG_FORMAT, else pretty on a terminal. */
export function logFormat(): LogFormat {
  return currentFormat ?? defaultLogFormat();
}

/**
 * Pretty output without a transport: pino serializes each record to one JSON line as usual,
 * and this destination rewrites it before it reaches stdout, synchronously, so lines keep
 * their order with the rest of stdout.
 */
function prettyDestination(out: NodeJS.WritableStream = process.stdout): DestinationStream {
  return { write: (line: string) => void out.write(prettifyJsonLine(line.trimEnd()) + '\n') };
}

/**
 * Logs, one line per notable event, as JSON lines or pretty lines (see log-format.ts). Level
 * from SWITCHYARD_LOG_LEVEL (default info). Payloads, user ids and secrets are never logged.
 */
export function createLogger(name: string, level = process.env.SWITCHYARD_LOG_LEVEL ?? 'info', format: LogFormat = logFormat()): Logger {
  const options = {
    name,
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['authorization', '*.authorization', 'token', '*.token'], remove: true },
  };
  return format === 'pretty' ? pino(options, prettyDestination()) : pino(options);
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
