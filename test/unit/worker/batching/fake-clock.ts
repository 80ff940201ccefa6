import type { Clock, Timer } from '../../../../worker/batching/clock.js';

interface FakeTimer {
  readonly at: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; records every timer armed, in microseconds. */
export class FakeClock implements Clock {
  now = 0;
  /** Delay of every setTimer call, in order. */
  readonly armed: number[] = [];
  readonly #timers: FakeTimer[] = [];

  nowMicros(): number {
    return this.now;
  }

  setTimer(delayMicros: number, fn: () => void): Timer {
    this.armed.push(delayMicros);
    const timer: FakeTimer = { at: this.now + delayMicros, fn, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Timers still armed, as remaining microseconds. */
  pending(): number[] {
    return this.#timers.filter((t) => !t.cancelled).map((t) => t.at - this.now);
  }

  /** Moves time forward, firing due timers in deadline order at their own deadlines. */
  advance(micros: number): void {
    const end = this.now + micros;
    for (;;) {
      const due = this.#timers
        .filter((t) => !t.cancelled && t.at <= end)
        .sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.cancelled = true;
      this.now = due.at;
      due.fn();
    }
    this.now = end;
  }
}
