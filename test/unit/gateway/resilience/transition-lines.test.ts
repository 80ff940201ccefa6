import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { RouteConfig } from '../../../../gateway/config/schema.js';
import { cacheFallbackFilter } from '../../../../gateway/filters/cache-fallback/filter.js';
import { circuitBreakerFilter } from '../../../../gateway/filters/circuit-breaker/filter.js';
import { TransitionLog } from '../../../../gateway/health/transition-log.js';
import type { FilterDeps, UpstreamResult } from '../../../../gateway/pipeline/filter.js';
import { ResilienceMetrics } from '../../../../gateway/resilience/metrics.js';
import { ResilienceState } from '../../../../gateway/resilience/state.js';
import type { CompiledBackend } from '../../../../gateway/upstream/backend.js';
import { upstreamUnavailable } from '../../../../gateway/errors.js';
import { captureLog } from '../../../helpers/log-capture.js';
import { backend, fakeContext, fakeDeps } from '../filters/fake-chain.js';

const answer = (status: number) => (): Promise<UpstreamResult> => Promise.resolve({ status, headers: {}, body: null });
const refused = () => Promise.reject(upstreamUnavailable('b', new Error('connect ECONNREFUSED')));

/** Filter deps whose resilience state logs into a captured logger, every transition at once (window 0). */
function loggedDeps(route: RouteConfig, b: CompiledBackend, now: () => number) {
  const captured = captureLog();
  const { deps } = fakeDeps(route, [b], now);
  const resilience = new ResilienceState(new ResilienceMetrics(new Registry()), captured.log, new TransitionLog(captured.log, { windowMs: 0, clock: { now } }));
  return { captured, deps: { ...deps, resilience } satisfies FilterDeps };
}

describe('resilience transition lines', () => {
  it('logs each breaker change of a backend: open with the reason and time, half-open, closed', async () => {
    const b = backend('fraud-v2');
    const route = {
      name: 'fraud',
      resilience: { circuitBreaker: { consecutiveFailures: 2, failureRate: 1, minRequests: 100, window: 10_000, openFor: 4_000, maxOpenFor: 60_000, mode: 'enforce' } },
    } as unknown as RouteConfig;
    let clock = 0;
    const { captured, deps } = loggedDeps(route, b, () => clock);
    const filter = circuitBreakerFilter.create(route, deps)!;
    await filter(fakeContext(b), answer(500));
    await assert.rejects(filter(fakeContext(b), refused));
    clock = 4_000;
    await filter(fakeContext(b), answer(200));
    const common = { event: 'circuit_breaker', filter: 'circuit-breaker', backend: 'fraud-v2', mode: 'enforce' };
    assert.deepEqual(captured.events('circuit_breaker'), [
      { ...common, from: 'closed', to: 'open', reason: 'consecutive failures', openForMs: 4_000, msg: 'circuit breaker open' },
      { ...common, from: 'open', to: 'half-open', reason: 'open time over', msg: 'circuit breaker half-open' },
      { ...common, from: 'half-open', to: 'closed', reason: 'probe succeeded', msg: 'circuit breaker closed' },
    ]);
    assert.deepEqual(captured.lines.map((l) => l.level), [40, 40, 30], 'open and half-open warn; closed is info');
  });

  it('logs the start of a route\'s fallback once per episode and its end when the upstream answers again', async () => {
    const b = backend('fraud-v1', 'fraud');
    const route = { name: 'fraud', fallback: { static: { status: 200, body: { fallback: true }, headers: {} } } } as unknown as RouteConfig;
    let clock = 1_000;
    const { captured, deps } = loggedDeps(route, b, () => clock);
    const filter = cacheFallbackFilter.create(route, deps)!;
    assert.equal((await filter(fakeContext(b), answer(200))).status, 200);
    assert.deepEqual(captured.lines, [], 'no episode, nothing to end');
    await filter(fakeContext(b), answer(503));
    clock = 2_000;
    await filter(fakeContext(b), refused);
    await filter(fakeContext(b), answer(500));
    clock = 6_000;
    assert.equal((await filter(fakeContext(b), answer(404))).status, 404, 'a 4xx is the upstream answering');
    await filter(fakeContext(b), answer(200));
    assert.deepEqual(captured.events('fallback_started', 'fallback_ended'), [
      { event: 'fallback_started', filter: 'cache-fallback', route: 'fraud', kind: 'static', reason: 'HTTP 503', msg: 'route serving from its fallback' },
      { event: 'fallback_ended', filter: 'cache-fallback', route: 'fraud', served: 3, forMs: 5_000, msg: 'route served by its upstream again' },
    ]);
  });
});
