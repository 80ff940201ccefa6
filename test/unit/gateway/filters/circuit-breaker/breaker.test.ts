import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, type BreakerTransition } from '../../../../../gateway/filters/circuit-breaker/breaker.js';

const config = { consecutiveFailures: 3, failureRate: 0.5, minRequests: 10, window: 10_000, openFor: 1_000, maxOpenFor: 3_000, mode: 'enforce' as const };

function breaker(): { b: CircuitBreaker; log: string[] } {
  const log: string[] = [];
  const b = new CircuitBreaker(config, (t: BreakerTransition) => log.push(`${t.from}>${t.to}:${t.reason}${t.openForMs === undefined ? '' : `:${t.openForMs}`}`));
  return { b, log };
}

describe('circuit breaker state machine', () => {
  it('opens on consecutive failures; a success in between starts the run over', () => {
    const { b, log } = breaker();
    b.record(0, true, false);
    b.record(0, true, false);
    b.record(0, false, false);
    b.record(0, true, false);
    b.record(0, true, false);
    assert.equal(b.state, 'closed');
    b.record(0, true, false);
    assert.equal(b.state, 'open');
    assert.deepEqual(log, ['closed>open:consecutive failures:1000']);
    assert.equal(b.admit(999), 'reject');
    assert.equal(b.retryAfterSeconds(1), 1);
  });

  it('opens on the failure rate once the window holds minRequests, and forgets what left the window', () => {
    const { b, log } = breaker();
    // 5 failures, 5 successes, alternating: never 3 in a row; 50 % over 10 requests opens it.
    for (let i = 0; i < 9; i++) b.record(i * 100, i % 2 === 0, false);
    assert.equal(b.state, 'closed');
    b.record(950, false, false);
    assert.equal(b.state, 'closed', 'the 10th is a success: 5 of 10 failed only once the next failure lands');
    b.record(960, true, false);
    assert.deepEqual(log, ['closed>open:failure rate:1000']);

    const fresh = breaker();
    for (let i = 0; i < 9; i++) fresh.b.record(i * 100, i % 2 === 0, false);
    // 11 s later the old results have left the 10 s window.
    fresh.b.record(11_000, true, false);
    assert.equal(fresh.b.state, 'closed');
  });

  it('lets exactly one probe through half-open; its failure reopens with doubled time, capped; success closes', () => {
    const { b, log } = breaker();
    for (let i = 0; i < 3; i++) b.record(0, true, false);
    assert.equal(b.admit(1_000), 'probe');
    assert.equal(b.state, 'half-open');
    assert.equal(b.admit(1_000), 'reject', 'one probe at a time');
    b.record(1_010, true, true);
    assert.equal(b.state, 'open');
    assert.equal(b.openUntil, 3_010);
    assert.equal(b.admit(3_010), 'probe');
    b.record(3_020, true, true);
    assert.equal(b.openUntil, 6_020, 'capped at maxOpenFor (3 s), not 4 s');
    assert.equal(b.admit(6_020), 'probe');
    b.record(6_030, undefined, true);
    assert.equal(b.state, 'half-open', 'a probe that was neither (cancelled) decides nothing');
    assert.equal(b.admit(6_040), 'probe', 'and frees the slot');
    b.record(6_050, false, true);
    assert.equal(b.state, 'closed');
    assert.equal(b.admit(6_060), 'allow');
    for (let i = 0; i < 3; i++) b.record(7_000, true, false);
    assert.equal(b.openUntil, 8_000, 'closing reset the doubling');
    assert.deepEqual(log, [
      'closed>open:consecutive failures:1000', 'open>half-open:open time over', 'half-open>open:probe failed:2000',
      'open>half-open:open time over', 'half-open>open:probe failed:3000', 'open>half-open:open time over',
      'half-open>closed:probe succeeded', 'closed>open:consecutive failures:1000',
    ]);
  });
});
