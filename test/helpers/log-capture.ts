import { pino, type Logger } from 'pino';

export type LogLine = Record<string, unknown>;

export interface CapturedLog {
  /** A real pino logger (level debug) whose JSON lines are parsed into `lines`. */
  readonly log: Logger;
  readonly lines: LogLine[];
  /** Lines whose `event` field is one of these, without pino's own fields (level, time, pid, hostname). */
  events(...names: string[]): LogLine[];
  /** Resolves with the first line, seen or still to come, that `match` accepts. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine>;
}

/** Captures what a component logs, so tests assert the exact lines. */
export function captureLog(): CapturedLog {
  const lines: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const stream = {
    write(text: string): void {
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const w of waiters.filter((x) => x.match(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    },
  };
  const log = pino({ level: 'debug', base: undefined, timestamp: false }, stream);
  return {
    log,
    lines,
    events: (...names) => lines.filter((l) => names.includes(l.event as string)).map(({ level: _level, ...rest }) => rest),
    waitFor(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
