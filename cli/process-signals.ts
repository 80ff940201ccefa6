import type { Logger } from '../observability/logger.js';
import { UsageError } from './command.js';

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then sets the exit code; a second signal
 * while stopping exits at once (the operator insisted).
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** Parses a port flag: an integer 0..65535 (0 picks a free port). */
export function parsePort(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag}: expected a port 0..65535, received '${value}'`);
  return n;
}

/**
 * The tail of every long-running command: on the first SIGTERM or Ctrl-C, log `what`, run
 * `stop`, log that it stopped and exit 0. Never resolves; the process exits from the handler.
 */
export function serveUntilSignal(log: Logger, stop: () => Promise<void>, what = 'draining: not ready, finishing in-flight requests'): Promise<never> {
  onShutdownSignal(async (signal) => {
    log.info({ signal }, what);
    await stop();
    log.info('stopped');
  });
  return new Promise<never>(() => undefined);
}
