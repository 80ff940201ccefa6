import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteConfig } from '../../../../../gateway/config/schema.js';
import { loadSheddingFilter } from '../../../../../gateway/filters/load-shedding/filter.js';
import type { UpstreamResult } from '../../../../../gateway/pipeline/filter.js';
import type { SwitchyardError } from '../../../../../protocol/errors.js';
import { backend, fakeContext, fakeDeps, sample } from '../fake-chain.js';

const answer = (status: number) => (): Promise<UpstreamResult> => Promise.resolve({ status, headers: {}, body: null });

describe('load-shedding filter', () => {
  it('refuses past the limit of the class and frees the slot when the request ends', async () => {
    const b = backend('b');
    const route = { name: 'r', resilience: { maxInFlight: 2 } } as unknown as RouteConfig;
    const { deps, registry } = fakeDeps(route, [b], () => 0);
    const filter = loadSheddingFilter.create(route, deps)!;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const held = filter(fakeContext(b), async () => {
      await gate;
      return answer(200)();
    });
    const low = fakeContext(b);
    low.priority = 'low';
    await assert.rejects(filter(low, answer(200)), (err: SwitchyardError) => err.code === 'OVERLOADED' && err.retryAfterSeconds === 1);
    const high = fakeContext(b);
    high.priority = 'high';
    const second = filter(high, async () => {
      await gate;
      return answer(200)();
    });
    await assert.rejects(filter(high, answer(200)), (err: SwitchyardError) => err.code === 'OVERLOADED');
    release();
    assert.deepEqual([(await held).status, (await second).status], [200, 200]);
    assert.equal((await filter(low, answer(200))).status, 200, 'slots freed');
    assert.equal(await sample(registry, 'switchyard_gateway_shed_requests_total', { route: 'r', scope: 'route', priority: 'low' }), 1);
    assert.equal(await sample(registry, 'switchyard_gateway_shed_requests_total', { route: 'r', scope: 'route', priority: 'high' }), 1);
  });

  it('is left out of routes without any limit', () => {
    const route = { name: 'r' } as unknown as RouteConfig;
    assert.equal(loadSheddingFilter.create(route, fakeDeps(route, [backend('b')], () => 0).deps), undefined);
  });
});
