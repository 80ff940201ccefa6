import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openLoop, type Clock, type OpenLoopCounts } from '../../../../loadtest/harness/open-loop.js';

/**
 * A clock that only moves when the loop sleeps: each sleep jumps time to its deadline plus
 * `oversleepMs` (a generator that wakes late), so every due time is exact.
 */
class FakeClock implements Clock {
  t = 0;
  constructor(private readonly oversleepMs = 0) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.t += ms + this.oversleepMs;
    return Promise.resolve();
  }
}

async function run(options: { rate: (s: number) => number; durationMs: number; maxOutstanding: number; clock: FakeClock; hold?: boolean }): Promise<{ counts: OpenLoopCounts; due: number[]; sentAt: number[] }> {
  const due: number[] = [];
  const sentAt: number[] = [];
  const held: (() => void)[] = [];
  const done = openLoop({
    rate: options.rate,
    durationMs: options.durationMs,
    maxOutstanding: options.maxOutstanding,
    clock: options.clock,
    fire: (dueMs) => {
      due.push(dueMs);
      sentAt.push(options.clock.now());
      return options.hold ? new Promise<void>((resolve) => held.push(resolve)) : Promise.resolve();
    },
  });
  // Held requests are answered only once the schedule has run out, so nothing frees a slot.
  if (options.hold) {
    await new Promise((r) => setImmediate(r));
    for (const release of held) release();
  }
  return { counts: await done, due, sentAt };
}

describe('open-loop scheduler (fake clock)', () => {
  it('starts one request every 1000/rate ms, at its due time, for the duration', async () => {
    const clock = new FakeClock();
    const { counts, due, sentAt } = await run({ rate: () => 10, durationMs: 1000, maxOutstanding: 100, clock });
    assert.deepEqual(due, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    assert.deepEqual(sentAt, due);
    assert.deepEqual(counts, { scheduled: 10, sent: 10, dropped: 0, late: 0 });
  });

  it('drops arrivals while maxOutstanding requests are in flight, and counts them', async () => {
    const { counts, due } = await run({ rate: () => 10, durationMs: 1000, maxOutstanding: 2, clock: new FakeClock(), hold: true });
    assert.deepEqual(due, [0, 100]);
    assert.deepEqual(counts, { scheduled: 10, sent: 2, dropped: 8, late: 0 });
  });

  it('counts an arrival sent more than lateAfterMs (10) after its due time as late, and still sends it', async () => {
    const { counts, sentAt } = await run({ rate: () => 10, durationMs: 1000, maxOutstanding: 100, clock: new FakeClock(11) });
    // Every sleep wakes 11 ms late; the first arrival is due at once and needs no sleep.
    assert.deepEqual(sentAt, [0, 111, 211, 311, 411, 511, 611, 711, 811, 911]);
    assert.deepEqual(counts, { scheduled: 10, sent: 10, dropped: 0, late: 9 });
  });

  it('follows a changing rate and schedules nothing while the rate is 0', async () => {
    const { counts, due } = await run({ rate: (s) => (s < 0.5 ? 0 : s < 0.8 ? 10 : 20), durationMs: 1000, maxOutstanding: 100, clock: new FakeClock() });
    assert.deepEqual(due, [500, 600, 700, 800, 850, 900, 950]);
    assert.equal(counts.scheduled, 7);
  });
});
