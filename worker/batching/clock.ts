import { performance } from 'node:perf_hooks';

export interface Timer {
  cancel(): void;
}

/**
 * Time as the batcher sees it. Injected so tests drive it exactly (a fake clock) and the
 * batching rules stay pure. All times are microseconds because queue delays are configured
 * in microseconds (Triton's max_queue_delay_microseconds).
 */
export interface Clock {
  /** Monotonic time in microseconds; only differences are meaningful. */
  nowMicros(): number;
  /** Calls `fn` once after `delayMicros`. */
  setTimer(delayMicros: number, fn: () => void): Timer;
}

/**
 * The process clock. Node timers have millisecond resolution, so a delay is rounded up to
 * the next whole millisecond: a 500 µs queue delay waits about 1 ms, never less than asked.
 */
export const systemClock: Clock = {
  nowMicros: () => performance.now() * 1000,
  setTimer(delayMicros, fn) {
    const handle = setTimeout(fn, Math.max(0, Math.ceil(delayMicros / 1000)));
    return { cancel: () => clearTimeout(handle) };
  },
};
