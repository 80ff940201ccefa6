import type { Logger } from '../../observability/logger.js';

/** Shortest time between two lines about the same subject, ms. */
export const DEFAULT_TRANSITION_LOG_WINDOW_MS = 10_000;

/** Fields of a transition line: names from the config and endpoint origins, never user input. */
export type TransitionFields = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export interface TransitionLogClock {
  /** Epoch ms. */
  now(): number;
  /** Runs `fn` after `ms`; must not keep the process alive. */
  schedule(fn: () => void, ms: number): void;
}

interface Pending {
  readonly level: 'info' | 'warn';
  /** Epoch ms of the transition. */
  readonly at: number;
  readonly fields: TransitionFields;
  readonly message: string;
}

interface KeyState {
  /** Epoch ms of the key's last line. */
  lastAt: number;
  /** Transitions not logged since that line. */
  suppressed: number;
  /** The newest of them, written when the window ends. */
  latest: Pending | undefined;
}

const realClock: TransitionLogClock = {
  now: Date.now,
  schedule: (fn, ms) => void setTimeout(fn, ms).unref(),
};

/**
 * One log line per health transition (endpoint up/down, breaker, ejection, fallback), with a
 * limit per subject so that a flapping endpoint cannot flood the log:
 *
 * 1. A key (event and subject, such as 'endpoint_health http://10.0.0.5:8000') whose last
 *    line is at least `windowMs` old is logged at once.
 * 2. Within the window, transitions are counted and the newest is kept, not logged.
 * 3. When the window ends, the newest kept transition is logged with `at` (when it happened)
 *    and `suppressed: N` (how many before it were never logged), which starts a new window. So the log always ends on the subject's
 *    latest state, at most one window late, and a key logs at most once per window.
 */
export class TransitionLog {
  private readonly keys = new Map<string, KeyState>();
  private readonly windowMs: number;
  private readonly clock: TransitionLogClock;

  constructor(private readonly log: Logger, options: { readonly windowMs?: number; readonly clock?: Partial<TransitionLogClock> } = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_TRANSITION_LOG_WINDOW_MS;
    this.clock = { ...realClock, ...options.clock };
  }

  warn(key: string, fields: TransitionFields, message: string): void {
    this.record(key, { level: 'warn', at: this.clock.now(), fields, message });
  }

  info(key: string, fields: TransitionFields, message: string): void {
    this.record(key, { level: 'info', at: this.clock.now(), fields, message });
  }

  private record(key: string, line: Pending): void {
    const now = line.at;
    const state = this.keys.get(key);
    if (state === undefined || now - state.lastAt >= this.windowMs) {
      this.keys.set(key, { lastAt: now, suppressed: 0, latest: undefined });
      this.write(line, 0);
      return;
    }
    if (state.latest === undefined) this.clock.schedule(() => this.flush(key), state.lastAt + this.windowMs - now);
    state.suppressed++;
    state.latest = line;
  }

  private flush(key: string): void {
    const state = this.keys.get(key);
    if (state?.latest === undefined) return;
    const { latest, suppressed } = state;
    this.keys.set(key, { lastAt: this.clock.now(), suppressed: 0, latest: undefined });
    // The newest one is the line written, saying when it happened; the others were suppressed.
    this.write(latest, suppressed - 1, new Date(latest.at).toISOString());
  }

  private write(line: Pending, suppressed: number, at?: string): void {
    const fields = { ...line.fields, ...(suppressed > 0 ? { suppressed } : {}), ...(at === undefined ? {} : { at }) };
    this.log[line.level](fields, line.message);
  }
}
