import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { metric, startFaultUpstream, type FaultUpstream } from '../../../helpers/gateway/fault-upstream.js';

const alwaysUp = { probe: { probe: () => Promise.resolve(true) } };
const inputs = (x: number) => ({ inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [x, 2] }] });

describe('cached and static fallbacks in front of a failing model upstream', () => {
  let up: FaultUpstream;
  let gw: TestGateway;
  let clock = 5_000_000;
  before(async () => {
    up = await startFaultUpstream('model');
    gw = await startTestGateway(`backends:
  iris-v1: { endpoints: [${up.url}], model: iris, version: "1" }
  fraud-v1: { endpoints: [${up.url}], model: fraud, version: "1" }
  rank-v1: { endpoints: [${up.url}], model: rank, version: "1" }
routes:
  - name: iris
    match: { pathPrefix: /v2/models/iris }
    backend: iris-v1
    resilience: { timeouts: { perTry: 200ms, total: 1s } }
    fallback:
      cache: { ttl: 1m, maxEntries: 100 }
      static: { status: 200, body: { degraded: true }, headers: { x-degraded: "yes" } }
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    backend: fraud-v1
    fallback: { cache: { ttl: 1m } }
  - name: rank
    match: { pathPrefix: /v2/models/rank }
    backend: rank-v1
    resilience: { priority: { workerLevels: { high: 1, low: 3 } } }
    fallback: { cache: { mode: always } }
`, { ...alwaysUp, now: () => clock });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  const infer = (model: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/v2/models/${model}/infer`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

  it('serves a fresh cached answer for the same inputs when the upstream fails, key order and spacing aside', async () => {
    up.setMode({ kind: 'ok' });
    const first = await infer('iris', inputs(1));
    assert.equal(first.status, 200);
    const answer = await first.text();
    up.setMode({ kind: 'status', status: 500 });
    const again = await infer('iris', '{ "inputs": [ { "data": [1, 2], "datatype": "FP32", "shape": [1, 2], "name": "x" } ] }');
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('x-switchyard-fallback'), 'cache');
    assert.equal(again.headers.get('x-switchyard-backend'), 'iris-v1');
    assert.equal(await again.text(), answer);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_fallback_total', 'route="iris",kind="cache"'), 1);
  });

  it('serves the static answer for inputs it has not seen, and for answers past their ttl', async () => {
    const unseen = await infer('iris', inputs(7));
    assert.equal(unseen.status, 200);
    assert.equal(unseen.headers.get('x-switchyard-fallback'), 'static');
    assert.equal(unseen.headers.get('x-degraded'), 'yes');
    assert.deepEqual(await unseen.json(), { degraded: true });
    clock += 60_000;
    const stale = await infer('iris', inputs(1));
    assert.equal(stale.headers.get('x-switchyard-fallback'), 'static');
    await stale.arrayBuffer();
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_fallback_total', 'route="iris",kind="static"'), 2);
  });

  it('falls back on a hanging upstream within the timeout', async () => {
    up.setMode({ kind: 'ok' });
    await (await infer('iris', inputs(3))).arrayBuffer();
    up.setMode({ kind: 'hang' });
    const started = performance.now();
    const res = await infer('iris', inputs(3));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchyard-fallback'), 'cache');
    await res.arrayBuffer();
    const ms = performance.now() - started;
    assert.ok(ms >= 190 && ms < 800, `${ms.toFixed(0)} ms`);
  });

  it('without a static answer, says why in a 503 JSON error', async () => {
    up.setMode({ kind: 'status', status: 502 });
    const res = await infer('fraud', inputs(9));
    assert.equal(res.status, 503);
    const body = await res.json() as { code: string; error: string };
    assert.equal(body.code, 'FALLBACK_UNAVAILABLE');
    assert.equal(body.error, "route 'fraud' could not be served: the upstream answered 502; no fresh cached answer for these inputs and no static fallback");
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_fallback_total', 'route="fraud",kind="none"'), 1);
  });

  it('mode always answers repeated inputs from the cache without asking the upstream', async () => {
    up.setMode({ kind: 'ok' });
    const first = await infer('rank', inputs(4));
    assert.equal(first.headers.get('x-switchyard-cache'), null);
    const answer = await first.text();
    const count = up.count();
    const second = await infer('rank', inputs(4));
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('x-switchyard-cache'), 'hit');
    assert.equal(await second.text(), answer);
    assert.equal(up.count(), count, 'the upstream was not asked');
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_cache_hits_total', 'route="rank"'), 1);
  });

  it("sends the class's worker priority level as the v2 parameter", async () => {
    up.setMode({ kind: 'ok' });
    await (await infer('rank', inputs(11), { 'x-switchyard-priority': 'high' })).arrayBuffer();
    assert.deepEqual(JSON.parse(up.bodies.at(-1)!).parameters, { priority: 1 });
    await (await infer('rank', { ...inputs(12), parameters: { priority: 2 } }, { 'x-switchyard-priority': 'low' })).arrayBuffer();
    assert.deepEqual(JSON.parse(up.bodies.at(-1)!).parameters, { priority: 2 }, "the client's own level wins");
    await (await infer('rank', inputs(13))).arrayBuffer();
    assert.equal(JSON.parse(up.bodies.at(-1)!).parameters, undefined, 'normal has no level configured');
  });
});
