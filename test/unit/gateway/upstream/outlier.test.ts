import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';
import { endpointOutcome, OutlierDetector, type Ejection } from '../../../../gateway/upstream/outlier.js';
import { pickEndpoint } from '../../../../gateway/upstream/balancer.js';

const endpoint = (origin: string) => ({
  origin, inFlight: 0, healthy: true, outlier: { consecutive5xx: 0, consecutiveGatewayFailure: 0, ejectedUntil: 0, ejections: 0 },
}) as unknown as UpstreamEndpoint;
const config = { consecutive5xx: 3, consecutiveGatewayFailure: 2, baseEjection: 10_000, maxEjection: 25_000, maxEjectionPercent: 50 };

describe('outlier detection', () => {
  it('classifies tries as Envoy does', () => {
    assert.equal(endpointOutcome(200, undefined), 'success');
    assert.equal(endpointOutcome(404, undefined), 'success');
    assert.equal(endpointOutcome(500, undefined), '5xx');
    assert.equal(endpointOutcome(503, undefined), 'gateway-failure');
    assert.equal(endpointOutcome(undefined, 'UPSTREAM_UNAVAILABLE'), 'gateway-failure');
    assert.equal(endpointOutcome(undefined, 'OVERLOADED'), 'ignored');
  });

  it('ejects for base × times ejected (capped), skips it in the balancer, and brings it back', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(endpoint) as [UpstreamEndpoint, UpstreamEndpoint, UpstreamEndpoint, UpstreamEndpoint];
    const ejections: Ejection[] = [];
    const detector = new OutlierDetector(config, [a, b, c, d], (e) => ejections.push(e));
    detector.record(a, '5xx', 0);
    detector.record(a, '5xx', 0);
    detector.record(a, 'success', 0);
    detector.record(a, '5xx', 0);
    detector.record(a, '5xx', 0);
    assert.equal(ejections.length, 0, 'a success ended the run');
    detector.record(a, '5xx', 0);
    assert.deepEqual(ejections, [{ endpoint: 'a', reason: 'consecutive5xx', untilMs: 10_000, forMs: 10_000 }]);
    for (let i = 0; i < 20; i++) assert.notEqual(pickEndpoint([a, b, c, d], Math.random, 9_999)!.origin, 'a');
    // Back at 10 s; ejected again at once: twice the base.
    detector.record(a, 'gateway-failure', 10_000);
    detector.record(a, 'gateway-failure', 10_000);
    assert.equal(ejections[1]!.forMs, 20_000);
    assert.equal(ejections[1]!.reason, 'consecutiveGatewayFailure');
    detector.record(a, '5xx', 30_000);
    detector.record(a, '5xx', 30_000);
    detector.record(a, '5xx', 30_000);
    assert.equal(ejections[2]!.forMs, 25_000, 'capped at maxEjection');
    // Serving well a base ejection time after coming back starts the multiplier over.
    detector.record(a, 'success', 55_000 + 10_000);
    detector.record(a, '5xx', 70_000);
    detector.record(a, '5xx', 70_000);
    detector.record(a, '5xx', 70_000);
    assert.equal(ejections[3]!.forMs, 10_000);
  });

  it('ejects no more than maxEjectionPercent of the endpoints', () => {
    const eps = ['a', 'b', 'c', 'd'].map(endpoint);
    const ejections: Ejection[] = [];
    const detector = new OutlierDetector(config, eps, (e) => ejections.push(e));
    for (const e of eps) for (let i = 0; i < 3; i++) detector.record(e, '5xx', 0);
    assert.deepEqual(ejections.map((e) => e.endpoint), ['a', 'b'], '50 % of 4');
  });
});
