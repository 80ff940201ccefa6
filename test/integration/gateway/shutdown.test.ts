import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../../helpers/http.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { startTestGateway } from '../../helpers/gateway/start-test-gateway.js';

const yaml = (url: string): string => `backends: { u: { endpoints: [${url}] } }\nroutes: [{ name: r, match: { pathPrefix: / }, backend: u }]\n`;

describe('graceful shutdown (drain)', () => {
  let upstream: EchoUpstream;
  before(async () => {
    upstream = await startEchoUpstream('u');
  });
  after(async () => {
    upstream.releaseHeld();
    await upstream.close();
  });

  it('fails readiness at once, finishes the request in flight, then stops', async () => {
    const gw = await startTestGateway(yaml(upstream.url));
    assert.equal((await getJson(`${gw.adminUrl}/readyz`)).status, 200);
    const inFlight = fetch(`${gw.url}/hold`).then(async (res) => [res.status, ((await res.json()) as { url: string }).url]);
    await upstream.held();
    const drained = gw.stop();
    const ready = await getJson(`${gw.adminUrl}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, { error: 'not ready: the gateway is shutting down', code: 'NOT_READY', backends: { u: { healthy: 1, total: 1 } } });
    await assert.rejects(fetch(`${gw.url}/new`), 'no new connections are accepted');
    upstream.releaseHeld();
    assert.deepEqual(await inFlight, [200, '/hold']);
    await drained;
  });

  it('does not count a request as in flight once its client left before the answer', { timeout: 10_000 }, async () => {
    const held = await startEchoUpstream('held');
    // A drain that would wait a minute: it finishes only if the abandoned request was let go.
    const gw = await startTestGateway(yaml(held.url), { drainTimeoutMs: 60_000 });
    const client = new AbortController();
    const abandoned = fetch(`${gw.url}/hold`, { signal: client.signal }).then(() => 'answered', () => 'aborted');
    await held.held();
    client.abort();
    assert.equal(await abandoned, 'aborted');
    held.releaseHeld();
    await gw.stop();
    await held.close();
  });

  it('cuts requests still in flight at the drain deadline', async () => {
    const held = await startEchoUpstream('held');
    const gw = await startTestGateway(yaml(held.url), { drainTimeoutMs: 50 });
    const inFlight = fetch(`${gw.url}/hold`).then(() => 'answered', () => 'cut');
    await held.held();
    await gw.stop();
    assert.equal(await inFlight, 'cut');
    held.releaseHeld();
    await held.close();
  });
});

describe('a standalone gateway and worker pools', () => {
  it('sends a pool backend to pools.NAME.endpoints, rewriting the model path', async () => {
    const worker = await startEchoUpstream('remote-worker');
    const gw = await startTestGateway(`pools: { cpu: { models: ./models, endpoints: [${worker.url}] } }
backends: { m: { pool: cpu, model: fraud } }
routes: [{ name: r, match: { pathPrefix: /v2/models/fraud }, backend: m }]
`);
    try {
      const res = await fetch(`${gw.url}/v2/models/fraud/versions/3/infer`, { method: 'POST', body: '{}' });
      // A backend that pins no version forwards the version the client named: the worker serves it or answers 404.
      assert.equal(((await res.json()) as { url: string }).url, '/v2/models/fraud/versions/3/infer');
      assert.equal(res.headers.get('x-switchyard-version'), null);
    } finally {
      await gw.stop();
      await worker.close();
    }
  });

  it('refuses a backend whose pool has no known endpoints, saying what to do', async () => {
    await assert.rejects(
      startTestGateway(`pools: { cpu: { models: ./models } }\nbackends: { m: { pool: cpu, model: fraud } }\nroutes: [{ name: r, match: { pathPrefix: / }, backend: m }]\n`),
      (err: Error) => {
        assert.match(err.message, /gateway\.yaml:2:24: backends\.m\.pool: backend 'm' uses pool 'cpu', but this gateway knows no endpoints for that pool/);
        assert.match(err.message, /list the running workers under pools\.cpu\.endpoints/);
        return true;
      },
    );
  });
});
