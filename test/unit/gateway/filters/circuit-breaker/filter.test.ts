import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteConfig } from '../../../../../gateway/config/schema.js';
import { circuitBreakerFilter } from '../../../../../gateway/filters/circuit-breaker/filter.js';
import type { UpstreamResult } from '../../../../../gateway/pipeline/filter.js';
import type { SwitchyardError } from '../../../../../protocol/errors.js';
import { upstreamUnavailable } from '../../../../../gateway/errors.js';
import { backend, fakeContext, fakeDeps, sample } from '../fake-chain.js';

const answer = (status: number) => (): Promise<UpstreamResult> => Promise.resolve({ status, headers: {}, body: null });
const breakerConfig = { consecutiveFailures: 2, failureRate: 1, minRequests: 100, window: 10_000, openFor: 4_000, maxOpenFor: 60_000, mode: 'enforce' as const };

describe('circuit-breaker filter', () => {
  it('opens on failures, then fails fast without calling next, with Retry-After; counts the refusal', async () => {
    const b = backend('b');
    const route = { name: 'r', resilience: { circuitBreaker: breakerConfig } } as unknown as RouteConfig;
    let clock = 0;
    const { deps, registry } = fakeDeps(route, [b], () => clock);
    const filter = circuitBreakerFilter.create(route, deps)!;
    await filter(fakeContext(b), answer(500));
    await assert.rejects(filter(fakeContext(b), () => Promise.reject(upstreamUnavailable('b', new Error('refused')))));
    let called = false;
    await assert.rejects(filter(fakeContext(b), () => {
      called = true;
      return answer(200)();
    }), (err: SwitchyardError) => err.code === 'CIRCUIT_OPEN' && err.status === 503 && err.retryAfterSeconds === 4);
    assert.equal(called, false);
    assert.equal(await sample(registry, 'switchyard_gateway_circuit_breaker_rejected_total', { backend: 'b', mode: 'enforce' }), 1);
    clock = 4_000;
    assert.equal((await filter(fakeContext(b), answer(200))).status, 200, 'the probe closes it');
    assert.equal(await sample(registry, 'switchyard_gateway_circuit_breaker_state', { backend: 'b' }), 0);
  });

  it("does not hold the worker's 429 or 503 against the backend", async () => {
    const b = backend('b');
    const route = { name: 'r', resilience: { circuitBreaker: breakerConfig } } as unknown as RouteConfig;
    const { deps } = fakeDeps(route, [b], () => 0);
    const filter = circuitBreakerFilter.create(route, deps)!;
    for (let i = 0; i < 5; i++) assert.equal((await filter(fakeContext(b), answer(i % 2 === 0 ? 429 : 503))).status, i % 2 === 0 ? 429 : 503);
    assert.equal((await filter(fakeContext(b), answer(200))).status, 200);
  });
});
