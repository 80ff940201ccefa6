import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_MS, AuthThrottle } from '../../../../gateway/admin/auth-throttle.js';

describe('admin auth throttle', () => {
  it('is 10 wrong tokens per sliding minute per address', () => {
    assert.equal(AUTH_FAILURE_LIMIT, 10);
    assert.equal(AUTH_FAILURE_WINDOW_MS, 60_000);
  });

  it('throttles an address at its 10th failure within the window, until the oldest is a window old', () => {
    let now = 0;
    const throttle = new AuthThrottle(() => now);
    for (let i = 0; i < 9; i++) {
      throttle.recordFailure('10.0.0.1');
      now += 1_000;
    }
    assert.equal(throttle.retryAfterSeconds('10.0.0.1'), 0, 'nine failures: not throttled');
    throttle.recordFailure('10.0.0.1'); // at 9 000 ms; the oldest was at 0
    assert.equal(throttle.retryAfterSeconds('10.0.0.1'), 51);
    now = 59_999;
    assert.equal(throttle.retryAfterSeconds('10.0.0.1'), 1);
    now = 60_000;
    assert.equal(throttle.retryAfterSeconds('10.0.0.1'), 0, 'the first failure left the window: nine remain');
    throttle.recordFailure('10.0.0.1');
    assert.equal(throttle.retryAfterSeconds('10.0.0.1'), 1, 'the next oldest (1 000 ms) leaves the window at 61 000 ms');
  });

  it('keeps addresses apart', () => {
    const throttle = new AuthThrottle(() => 0);
    for (let i = 0; i < 10; i++) throttle.recordFailure('10.0.0.1');
    assert.equal(throttle.retryAfterSeconds('10.0.0.1'), 60);
    assert.equal(throttle.retryAfterSeconds('10.0.0.2'), 0);
  });

  it('takes its limit and window as arguments', () => {
    let now = 0;
    const throttle = new AuthThrottle(() => now, 2, 10_000);
    throttle.recordFailure('a');
    throttle.recordFailure('a');
    assert.equal(throttle.retryAfterSeconds('a'), 10);
    now = 9_001;
    assert.equal(throttle.retryAfterSeconds('a'), 1);
    now = 10_000;
    assert.equal(throttle.retryAfterSeconds('a'), 0);
  });
});
