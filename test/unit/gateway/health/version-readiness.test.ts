import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthProber } from '../../../../gateway/health/prober.js';
import { TransitionLog } from '../../../../gateway/health/transition-log.js';
import { readiness } from '../../../../gateway/health/readiness.js';
import { servableEndpoints, versionReadyPath } from '../../../../gateway/health/version-readiness.js';
import type { CompiledGateway } from '../../../../gateway/routing/compile.js';
import type { CompiledBackend } from '../../../../gateway/upstream/backend.js';
import type { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';
import { captureLog } from '../../../helpers/log-capture.js';

const V2 = versionReadyPath('fraud', '2');

function endpoint(origin: string): UpstreamEndpoint {
  return { origin, healthy: undefined, consecutiveFailures: 0, checkedAt: undefined, versionProbePaths: new Set([V2]), versionReady: new Map() } as unknown as UpstreamEndpoint;
}

describe('model version readiness', () => {
  it('probes each pinned version on each healthy endpoint and keeps a version-pinned backend off endpoints where it is not ready', async () => {
    const a = endpoint('http://a');
    const b = endpoint('http://b');
    // Worker b is up but fraud v2 is still loading there.
    const prober = new HealthProber(() => [a, b], { now: () => 1, probe: async () => true, versionProbe: async (e, path) => e.origin === 'http://a' && path === V2 });
    await prober.probeAll();
    assert.deepEqual([a.versionReady.get(V2), b.versionReady.get(V2)], [true, false]);
    assert.equal(V2, '/v2/models/fraud/versions/2/ready');

    const pinned = { name: 'fraud-v2', model: 'fraud', version: '2', endpoints: [a, b] } as CompiledBackend;
    const unpinned = { name: 'fraud-latest', model: 'fraud', version: undefined, endpoints: [a, b] } as CompiledBackend;
    assert.deepEqual(servableEndpoints(pinned).map((e) => e.origin), ['http://a']);
    assert.deepEqual(servableEndpoints(unpinned).map((e) => e.origin), ['http://a', 'http://b']);

    const gateway = {
      config: { readiness: { requireServableRoute: true } },
      routes: [{ name: 'fraud', config: {}, target: { assignments: [{ backend: pinned, variant: '' }], view: () => ({ kind: 'backend', backend: 'fraud-v2' }) } }],
    } as unknown as CompiledGateway;
    assert.deepEqual(readiness(gateway, false).backends, { 'fraud-v2': { healthy: 1, total: 2 } });
    assert.equal(readiness(gateway, false).ready, true);
    a.versionReady.set(V2, false);
    assert.deepEqual(readiness(gateway, false).backends, { 'fraud-v2': { healthy: 0, total: 2 } });
    assert.equal(readiness(gateway, false).ready, false, 'with requireServableRoute, a route whose one backend has no endpoint with its version cannot serve');
  });

  it('leaves the version results alone when the endpoint itself is down', async () => {
    const a = endpoint('http://a');
    a.versionReady.set(V2, true);
    let versionProbes = 0;
    const prober = new HealthProber(() => [a], { now: () => 1, probe: async () => false, versionProbe: async () => (versionProbes++, false) });
    await prober.probeAll();
    assert.deepEqual([a.healthy, a.versionReady.get(V2), versionProbes], [false, true, 0]);
  });

  it('logs a version that is not ready on an endpoint, and its return; a first result that is fine is not logged', async () => {
    const captured = captureLog();
    const [a, b] = [endpoint('http://a'), endpoint('http://b')];
    const ready = new Set(['http://a']);
    const prober = new HealthProber(() => [a, b], {
      now: () => 1, probe: async () => true, versionProbe: async (e) => ready.has(e.origin),
      events: new TransitionLog(captured.log, { windowMs: 0, clock: { now: () => 1 } }), backendsOf: () => ['fraud-v2'],
    });
    await prober.probeAll();
    ready.add('http://b');
    await prober.probeAll();
    ready.delete('http://a');
    await prober.probeAll();
    const line = (origin: string, to: string) => ({ event: 'version_health', endpoint: origin, path: V2, backends: ['fraud-v2'], to });
    assert.deepEqual(captured.events('version_health').map(({ msg: _msg, ...rest }) => rest), [line('http://b', 'down'), line('http://b', 'up'), line('http://a', 'down')]);
  });
});
