import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { until } from '../../../helpers/process.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { metric, startFaultUpstream, type FaultUpstream } from '../../../helpers/gateway/fault-upstream.js';

const alwaysUp = { probe: { probe: () => Promise.resolve(true) } };

describe('load shedding by priority, per route and per backend', () => {
  let up: FaultUpstream;
  let busy: FaultUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startFaultUpstream('slow', { kind: 'slow', ms: 600 });
    busy = await startFaultUpstream('busy', { kind: 'status', status: 429 });
    gw = await startTestGateway(`backends:
  slow: { endpoints: [${up.url}] }
  shared: { endpoints: [${up.url}], maxInFlight: 1 }
  busy: { endpoints: [${busy.url}] }
routes:
  - name: shed
    match: { pathPrefix: /shed }
    backend: slow
    resilience: { maxInFlight: 4, priority: { default: normal } }
  - { name: one, match: { pathPrefix: /one }, backend: shared }
  - { name: two, match: { pathPrefix: /two }, backend: shared }
  - name: busy
    match: { pathPrefix: /busy }
    backend: busy
    resilience: { circuitBreaker: { consecutiveFailures: 1 }, maxInFlight: 10 }
    fallback: { static: { body: "degraded" } }
`, alwaysUp);
  });
  after(async () => {
    await gw.stop();
    await up.close();
    await busy.close();
  });

  it('sheds low first, then normal, and keeps the last share for high; 503 with Retry-After at once', async () => {
    const held = Array.from({ length: 3 }, () => fetch(`${gw.url}/shed/x`).then((r) => r.status));
    await until(async () => up.count() === 3, 'three normal requests to reach the upstream');
    const refuse = async (priority: string): Promise<void> => {
      const started = performance.now();
      const res = await fetch(`${gw.url}/shed/x`, { headers: { 'x-switchyard-priority': priority } });
      const body = await res.json() as { code: string; error: string };
      assert.equal(res.status, 503, priority);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(body.code, 'OVERLOADED');
      assert.match(body.error, /route 'shed' already has 4 requests in flight/);
      assert.ok(performance.now() - started < 300, 'refused at once, not queued');
    };
    await refuse('low');
    await refuse('normal');
    const high = fetch(`${gw.url}/shed/x`, { headers: { 'x-switchyard-priority': 'high' } }).then((r) => r.status);
    await until(async () => up.count() === 4, 'the high-priority request to be admitted');
    await refuse('high');
    assert.deepEqual(await Promise.all([...held, high]), [200, 200, 200, 200]);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_shed_requests_total', 'route="shed",scope="route",priority="low"'), 1);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_shed_requests_total', 'route="shed",scope="route",priority="normal"'), 1);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_shed_requests_total', 'route="shed",scope="route",priority="high"'), 1);
  });

  it("bounds a backend's requests over every route that uses it", async () => {
    const first = fetch(`${gw.url}/one/x`).then((r) => r.status);
    const before = up.count();
    await until(async () => up.count() === before + 1, 'the first request to arrive');
    const res = await fetch(`${gw.url}/two/x`);
    assert.equal(res.status, 503);
    assert.equal((await res.json() as { code: string }).code, 'OVERLOADED');
    assert.equal(await first, 200);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_shed_requests_total', 'route="two",scope="backend",priority="normal"'), 1);
  });

  it("passes the worker's 429 through: no fallback, and the breaker does not count it", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${gw.url}/busy/x`);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('x-switchyard-fallback'), null);
      await res.arrayBuffer();
    }
    assert.equal(busy.count(), 3);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_state', 'backend="busy",mode="enforce"'), 0);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_fallback_total', 'route="busy",kind="static"'), 0);
  });
});
