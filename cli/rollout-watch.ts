/**
 * `switchyard rollout status ROUTE --watch`: follows a rollout until it ends, for a person at a
 * terminal or as a CI gate (like `kubectl argo rollouts status`). The exit code is the outcome.
 */

/** Exit codes of `rollout status --watch` (1 and 2 keep their meaning for every command). */
export const WATCH_EXIT = {
  /** Promoted, or a route with nothing in progress (blue-green, a canary without steps). */
  healthy: 0,
  /** The admin API refused or could not be reached. */
  adminError: 1,
  usage: 2,
  /** Aborted (by analysis or by hand) or blocked by the golden gate. */
  failed: 3,
  /** --timeout passed before the rollout ended. */
  timedOut: 4,
} as const;

export interface WatchedStatus {
  readonly route?: string;
  readonly strategy?: string;
  readonly phase?: string;
  readonly reason?: string | null;
  readonly weights?: { stable: number; canary: number };
  readonly target?: { kind?: string; active?: string; preview?: string };
  readonly history?: readonly { at: string; event: string; by: string; weight: number; reason: string }[];
}

/** Whether a rollout has ended, and with which exit code; `undefined` while it goes on. */
export function rolloutOutcome(status: WatchedStatus): number | undefined {
  if (status.strategy !== 'canary') return WATCH_EXIT.healthy;
  switch (status.phase) {
    case 'promoted':
    case 'manual':
      return WATCH_EXIT.healthy;
    case 'aborted':
    case 'blocked':
      return WATCH_EXIT.failed;
    default:
      // starting, golden, shadow, progressing, paused: a person or the analysis moves it on.
      return undefined;
  }
}

export interface WatchDeps {
  fetchStatus(): Promise<WatchedStatus>;
  write(text: string): void;
  /** Resolves after `ms`; injected so tests drive time. */
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface WatchOptions {
  readonly intervalMs: number;
  /** Give up after this long, ms; undefined: wait as long as it takes. */
  readonly timeoutMs?: number;
}

/**
 * Polls the status every `intervalMs` and prints each history event once, as it appears, then
 * one closing line. Returns the exit code (WATCH_EXIT).
 */
export async function watchRollout(deps: WatchDeps, options: WatchOptions): Promise<number> {
  const seen = new Set<string>();
  const started = deps.now();
  for (let first = true; ; first = false) {
    const status = await deps.fetchStatus();
    if (first) deps.write(`${headline(status)}\n`);
    for (const event of status.history ?? []) {
      const key = `${event.at} ${event.event} ${event.weight}`;
      if (seen.has(key)) continue;
      seen.add(key);
      deps.write(`  ${event.at.slice(11, 19)}  ${event.event.padEnd(13)} ${`${event.weight}%`.padStart(4)}  by ${event.by.padEnd(8)} ${event.reason}\n`);
    }
    const code = rolloutOutcome(status);
    if (code !== undefined) {
      deps.write(`${closing(status, code)}\n`);
      return code;
    }
    if (options.timeoutMs !== undefined && deps.now() - started >= options.timeoutMs) {
      deps.write(`route ${String(status.route)}: still ${String(status.phase)} after ${options.timeoutMs / 1000}s (--timeout); exit ${WATCH_EXIT.timedOut}\n`);
      return WATCH_EXIT.timedOut;
    }
    await deps.sleep(options.intervalMs);
  }
}

function headline(status: WatchedStatus): string {
  if (status.strategy !== 'canary') return `route ${String(status.route)}: ${String(status.strategy)}`;
  return `route ${String(status.route)}: ${String(status.phase)}, canary at ${status.weights?.canary ?? '?'}%; watching until it ends (Ctrl-C stops watching, not the rollout)`;
}

function closing(status: WatchedStatus, code: number): string {
  if (status.strategy !== 'canary') {
    const active = status.target?.active === undefined ? '' : `, active ${status.target.active}`;
    return `route ${String(status.route)}: ${String(status.strategy)}${active}; nothing in progress (exit ${code})`;
  }
  const reason = status.reason === null || status.reason === undefined ? '' : `: ${status.reason}`;
  return `route ${String(status.route)}: ${String(status.phase)}${reason} (exit ${code})`;
}
