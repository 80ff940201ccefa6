/**
 * Open-loop load: requests are started on a schedule (the arrival rate), never in response to
 * earlier answers, so a slow server meets the same load instead of slowing the test down and
 * hiding its own latency (coordinated omission). Outstanding requests are bounded: an arrival
 * due while `maxOutstanding` are in flight is dropped and counted, as k6's dropped_iterations.
 */

/** Time in milliseconds from an arbitrary origin, and a way to wait; tests pass a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Arrivals per second at `elapsedSeconds` into the run. */
export type RateProfile = (elapsedSeconds: number) => number;

export interface OpenLoopOptions {
  readonly rate: RateProfile;
  /** Length of the run, milliseconds. */
  readonly durationMs: number;
  /** Requests in flight at most; an arrival beyond it is dropped. */
  readonly maxOutstanding: number;
  /** An arrival started more than this many ms after it was due counts as late (default 10). */
  readonly lateAfterMs?: number;
  readonly clock?: Clock;
  /**
   * Sends one request due at `dueMs` (ms since the start). Its promise must not reject; the
   * caller records the outcome. Latency is best measured from `dueMs`, not from the call.
   */
  readonly fire: (dueMs: number) => Promise<void>;
  /** Told of each dropped arrival as it happens (for a live progress line). */
  readonly onDropped?: () => void;
}

export interface OpenLoopCounts {
  /** Arrivals the schedule asked for. */
  readonly scheduled: number;
  readonly sent: number;
  /** Arrivals not sent because maxOutstanding requests were in flight. */
  readonly dropped: number;
  /** Arrivals sent more than lateAfterMs after they were due (the generator fell behind). */
  readonly late: number;
}

/** While the rate is 0, how far ahead to look again, ms. */
const IDLE_STEP_MS = 10;

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopCounts> {
  const clock = options.clock ?? realClock;
  const lateAfter = options.lateAfterMs ?? 10;
  const start = clock.now();
  const inFlight = new Set<Promise<void>>();
  let scheduled = 0;
  let sent = 0;
  let dropped = 0;
  let late = 0;
  let due = 0;
  while (due < options.durationMs) {
    const rate = options.rate(due / 1000);
    if (!(rate > 0)) {
      due += IDLE_STEP_MS;
      continue;
    }
    const now = clock.now() - start;
    if (due > now) {
      await clock.sleep(due - now);
      continue;
    }
    scheduled++;
    if (inFlight.size >= options.maxOutstanding) {
      dropped++;
      options.onDropped?.();
    } else {
      if (now - due > lateAfter) late++;
      sent++;
      const request = options.fire(due).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    due += 1000 / rate;
  }
  await Promise.all(inFlight);
  return { scheduled, sent, dropped, late };
}
