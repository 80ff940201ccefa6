import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendReport } from '../../../../gateway/health/backend-report.js';
import { versionReadyPath } from '../../../../gateway/health/version-readiness.js';
import type { CompiledGateway } from '../../../../gateway/routing/compile.js';
import type { CompiledBackend } from '../../../../gateway/upstream/backend.js';
import type { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';

const endpoint = (origin: string, fields: Partial<UpstreamEndpoint>) => ({
  origin, healthy: true, checkedAt: 5_000, healthSince: 1_000, probeError: undefined, versionReady: new Map(),
  outlier: { consecutive5xx: 0, consecutiveGatewayFailure: 0, ejectedUntil: 0, ejections: 0 }, ...fields,
}) as unknown as UpstreamEndpoint;

describe('backend report', () => {
  it('gives each endpoint one state with its reason and since when: down wins over ejected, a version not ready is down for that backend only', () => {
    const up = endpoint('http://up:1', {});
    const down = endpoint('http://down:1', { healthy: false, probeError: 'HTTP 503', healthSince: 3_000 });
    const ejected = endpoint('http://ejected:1', { outlier: { consecutive5xx: 0, consecutiveGatewayFailure: 0, ejectedUntil: 20_000, ejections: 1, ejection: { at: 4_000, reason: 'consecutive5xx' } } });
    const unknown = endpoint('http://new:1', { healthy: undefined, checkedAt: undefined, healthSince: undefined });
    const noVersion = endpoint('http://old:1', { versionReady: new Map([[versionReadyPath('fraud', '2'), false]]) });
    const v2: CompiledBackend = { name: 'fraud-v2', model: 'fraud', version: '2', endpoints: [up, down, ejected, unknown, noVersion] };
    const latest: CompiledBackend = { name: 'fraud-latest', model: 'fraud', version: undefined, endpoints: [noVersion] };
    const gateway = { routes: [], backends: new Map([[v2.name, v2], [latest.name, latest]]) } as unknown as CompiledGateway;
    const [first, second] = backendReport(gateway, 10_000, (b) => (b === 'fraud-v2' ? 'open' : undefined));
    const t = (ms: number) => new Date(ms).toISOString();
    assert.deepEqual(first, {
      name: 'fraud-latest', model: 'fraud', version: null, live: false, routes: [], breaker: null,
      endpoints: [{ origin: 'http://old:1', state: 'up', reason: null, since: t(1_000), checkedAt: t(5_000) }],
    });
    assert.deepEqual(second!.breaker, 'open');
    assert.deepEqual(second!.endpoints, [
      { origin: 'http://up:1', state: 'up', reason: null, since: t(1_000), checkedAt: t(5_000) },
      { origin: 'http://down:1', state: 'down', reason: 'HTTP 503', since: t(3_000), checkedAt: t(5_000) },
      { origin: 'http://ejected:1', state: 'ejected', reason: 'consecutive5xx', since: t(4_000), checkedAt: t(5_000) },
      { origin: 'http://new:1', state: 'unknown', reason: null, since: null, checkedAt: null },
      { origin: 'http://old:1', state: 'down', reason: 'model fraud version 2 is not ready there', since: null, checkedAt: t(5_000) },
    ]);
    assert.equal(backendReport(gateway, 20_000, () => undefined)[1]!.endpoints[2]!.state, 'up', 'the ejection is over');
  });
});
