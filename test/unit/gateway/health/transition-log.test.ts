import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransitionLog } from '../../../../gateway/health/transition-log.js';
import { captureLog } from '../../../helpers/log-capture.js';

/** A clock the test moves by hand, with the timers it would fire. */
function fakeClock() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    clock: { now: () => now, schedule: (fn: () => void, ms: number) => void timers.push({ at: now + ms, fn }) },
    pending: () => timers.length,
    /** Moves to `to`, firing the timers due by then in order. */
    advance(to: number): void {
      timers.sort((a, b) => a.at - b.at);
      while (timers.length > 0 && timers[0]!.at <= to) {
        const t = timers.shift()!;
        now = t.at;
        t.fn();
      }
      now = to;
    },
  };
}

const line = (to: string) => ({ event: 'endpoint_health', endpoint: 'http://a:1', to });

describe('transition log', () => {
  it('logs the first transition of a key at once, and each key on its own', () => {
    const captured = captureLog();
    const time = fakeClock();
    const log = new TransitionLog(captured.log, { windowMs: 30_000, clock: time.clock });
    log.warn('endpoint a', line('down'), 'endpoint down');
    log.warn('breaker b', { event: 'circuit_breaker', backend: 'b', to: 'open' }, 'circuit breaker open');
    assert.deepEqual(captured.lines, [
      { level: 40, event: 'endpoint_health', endpoint: 'http://a:1', to: 'down', msg: 'endpoint down' },
      { level: 40, event: 'circuit_breaker', backend: 'b', to: 'open', msg: 'circuit breaker open' },
    ]);
    assert.equal(time.pending(), 0);
  });

  it('holds a flapping key to one line per window and ends on its latest state, with what it suppressed', () => {
    const captured = captureLog();
    const time = fakeClock();
    const log = new TransitionLog(captured.log, { windowMs: 30_000, clock: time.clock });
    log.warn('endpoint a', line('down'), 'endpoint down');
    for (const [at, to] of [[5_000, 'up'], [10_000, 'down'], [15_000, 'up'], [20_000, 'down']] as const) {
      time.advance(at);
      if (to === 'up') log.info('endpoint a', line(to), 'endpoint up');
      else log.warn('endpoint a', line(to), 'endpoint down');
    }
    assert.equal(captured.lines.length, 1, 'nothing more within the window');
    assert.equal(time.pending(), 1, 'one flush per window, not one per transition');
    time.advance(29_999);
    assert.equal(captured.lines.length, 1);
    time.advance(30_000);
    assert.deepEqual(captured.lines[1], {
      level: 40, event: 'endpoint_health', endpoint: 'http://a:1', to: 'down', suppressed: 3, at: '1970-01-01T00:00:20.000Z', msg: 'endpoint down',
    });
    // The flush opened a new window: the next transition waits for its end too.
    time.advance(40_000);
    log.info('endpoint a', line('up'), 'endpoint up');
    assert.equal(captured.lines.length, 2);
    time.advance(60_000);
    assert.deepEqual(captured.lines[2], { level: 30, event: 'endpoint_health', endpoint: 'http://a:1', to: 'up', at: '1970-01-01T00:00:40.000Z', msg: 'endpoint up' });
    // A quiet window later, a transition is logged at once again.
    time.advance(90_000);
    log.warn('endpoint a', line('down'), 'endpoint down');
    assert.deepEqual(captured.lines[3], { level: 40, event: 'endpoint_health', endpoint: 'http://a:1', to: 'down', msg: 'endpoint down' });
    assert.equal(time.pending(), 0);
  });
});
