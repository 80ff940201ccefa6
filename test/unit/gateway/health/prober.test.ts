import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthProber, recordProbe } from '../../../../gateway/health/prober.js';
import { readiness } from '../../../../gateway/health/readiness.js';
import type { CompiledGateway } from '../../../../gateway/routing/compile.js';
import type { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';

const fresh = (origin: string) => ({ origin, healthy: undefined, consecutiveFailures: 0, checkedAt: undefined }) as unknown as UpstreamEndpoint;

describe('health probing', () => {
  it('marks a new endpoint at its first result, a known-good one only after 2 failures in a row', () => {
    const e = fresh('a');
    recordProbe(e, true, 1000, 2);
    assert.deepEqual([e.healthy, e.checkedAt], [true, 1000]);
    recordProbe(e, false, 2000, 2);
    assert.equal(e.healthy, true);
    recordProbe(e, false, 3000, 2);
    assert.equal(e.healthy, false);
    recordProbe(e, true, 4000, 2);
    assert.deepEqual([e.healthy, e.consecutiveFailures], [true, 0]);
    const down = fresh('b');
    recordProbe(down, false, 1, 2);
    assert.equal(down.healthy, false);
  });

  it('probes every endpoint in a round with the injected probe and clock', async () => {
    const endpoints = [fresh('up'), fresh('down')];
    const prober = new HealthProber(() => endpoints, { now: () => 42, probe: async (e) => e.origin === 'up' });
    await prober.probeAll();
    assert.deepEqual(endpoints.map((e) => [e.origin, e.healthy, e.checkedAt]), [['up', true, 42], ['down', false, 42]]);
  });

  it('is ready only when every routed backend has a healthy endpoint and the gateway is not draining', () => {
    const a = fresh('a');
    const b = fresh('b');
    a.healthy = true;
    const gateway = {
      routes: [{ target: { assignments: [{ backend: { name: 'one', endpoints: [a] } }, { backend: { name: 'two', endpoints: [b] } }] } }],
    } as unknown as CompiledGateway;
    assert.deepEqual(readiness(gateway, false), {
      ready: false, reasons: ["backend 'two' has no healthy endpoint (0 of 1)"], backends: { one: { healthy: 1, total: 1 }, two: { healthy: 0, total: 1 } },
    });
    b.healthy = true;
    assert.equal(readiness(gateway, false).ready, true);
    assert.deepEqual(readiness(gateway, true).reasons, ['the gateway is shutting down']);
  });
});
