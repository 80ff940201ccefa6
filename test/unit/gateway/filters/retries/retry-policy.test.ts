import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upstreamError, upstreamUnavailable, noHealthyEndpoint } from '../../../../../gateway/errors.js';
import { backoffMs, budgetAllows, isRetryable, isSafe } from '../../../../../gateway/filters/retries/retry-policy.js';

const retries = { attempts: 2, retryOn: [503], budgetPercent: 20, minRetryConcurrency: 3, backoff: 25 };
const on = new Set([503]);
const result = (status: number) => ({ result: { status, headers: {}, body: null } });

describe('retry policy', () => {
  it('retries a refused connection always, and what the upstream may have acted on only when safe', () => {
    assert.equal(isRetryable({ error: upstreamUnavailable('b', null), timedOut: false }, on, false), true);
    assert.equal(isRetryable({ error: upstreamError('b', null), timedOut: false }, on, false), false);
    assert.equal(isRetryable({ error: upstreamError('b', null), timedOut: false }, on, true), true);
    assert.equal(isRetryable({ error: new Error('x'), timedOut: true }, on, true), true);
    assert.equal(isRetryable({ error: noHealthyEndpoint('b'), timedOut: false }, on, true), false);
    assert.equal(isRetryable(result(503), on, true), true);
    assert.equal(isRetryable(result(503), on, false), false);
    assert.equal(isRetryable(result(500), on, true), false);
  });

  it('treats model routes and idempotent methods as safe unless the route says otherwise', () => {
    assert.equal(isSafe(undefined, true, 'POST'), true);
    assert.equal(isSafe(undefined, false, 'POST'), false);
    assert.equal(isSafe(undefined, false, 'PUT'), true);
    assert.equal(isSafe({ ...retries, safe: false }, true, 'POST'), false);
    assert.equal(isSafe({ ...retries, safe: true }, false, 'POST'), true);
  });

  it('allows retries in flight up to budgetPercent of active requests, with a minimum', () => {
    assert.equal(budgetAllows({ active: 10, retrying: 2 }, retries), true, 'min 3');
    assert.equal(budgetAllows({ active: 10, retrying: 3 }, retries), false);
    assert.equal(budgetAllows({ active: 100, retrying: 19 }, retries), true);
    assert.equal(budgetAllows({ active: 100, retrying: 20 }, retries), false);
  });

  it('backs off with full jitter, doubling, capped at 10 × base', () => {
    assert.equal(backoffMs(25, 0, () => 0.5), 12.5);
    assert.equal(backoffMs(25, 2, () => 0.5), 50);
    assert.equal(backoffMs(25, 8, () => 0.999), 249.75);
  });
});
