import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../../../loadtest/harness/free-port.js';
import { silentLogger } from '../../../../observability/logger.js';
import { createModelRunner } from '../../../../worker/batching/model-runner.js';
import { startWorker } from '../../../../worker/start-worker.js';
import { startEchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { captureLog } from '../../../helpers/log-capture.js';
import { until } from '../../../helpers/process.js';
import { demoRepository, startTestWorker } from '../../../helpers/worker.js';

const iris = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface BackendView {
  name: string;
  live: boolean;
  routes: unknown[];
  endpoints: { origin: string; state: string; reason: string | null; since: string | null; checkedAt: string | null }[];
}

async function backends(adminUrl: string): Promise<Map<string, BackendView>> {
  const res = await getJson(`${adminUrl}/admin/backends`);
  assert.equal(res.status, 200);
  return new Map((res.body as { backends: BackendView[] }).backends.map((b) => [b.name, b]));
}

describe('gateway readiness and backend health, with real workers', () => {
  let stable: Awaited<ReturnType<typeof startTestWorker>>;
  before(async () => {
    stable = await startTestWorker(['iris']);
  });
  after(async () => {
    await stable.drain();
  });

  // The timeout only ends a hung run (a line that never comes); nothing here is timed.
  it('stays ready with a canary at 0 % whose worker is down; GET /admin/backends and the log say why, and when it comes back', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const canaryUrl = `http://127.0.0.1:${port}`;
    const captured = captureLog();
    const gw = await startTestGateway(`
backends:
  stable: { endpoints: [${stable.url}], model: iris }
  canary: { endpoints: [${canaryUrl}], model: iris }
routes:
  - name: iris
    match: { pathPrefix: /v2/models/iris }
    rollout: { strategy: canary, stable: stable, canary: canary, weight: 0 }
`, { log: captured.log, probe: { intervalMs: 50 }, transitionLogWindowMs: 0 });
    let revived: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      for (const base of [gw.url, gw.adminUrl]) {
        const ready = await getJson(`${base}/readyz`);
        assert.equal(ready.status, 200);
        assert.deepEqual(ready.body, { status: 'ready', backends: { stable: { healthy: 1, total: 1 }, canary: { healthy: 0, total: 1 } } });
      }
      assert.equal((await postJson(`${gw.url}/v2/models/iris/infer`, iris)).status, 200);

      const down = (await backends(gw.adminUrl)).get('canary')!;
      assert.deepEqual({ ...down, endpoints: down.endpoints.map((e) => ({ ...e, since: typeof e.since, checkedAt: typeof e.checkedAt })) }, {
        name: 'canary', model: 'iris', version: null, live: false, breaker: null,
        routes: [{ route: 'iris', role: 'canary', weight: 0, live: false }],
        endpoints: [{ origin: canaryUrl, state: 'down', reason: 'connect ECONNREFUSED', since: 'string', checkedAt: 'string' }],
      });
      assert.match(down.endpoints[0]!.since!, ISO);
      const up = (await backends(gw.adminUrl)).get('stable')!;
      assert.deepEqual([up.live, up.routes, up.endpoints.map((e) => [e.state, e.reason])],
        [true, [{ route: 'iris', role: 'stable', weight: 100, live: true }], [['up', null]]]);

      // The canary's worker starts on that port: the next probe round brings the endpoint back.
      revived = await startWorker({ modelsDir: await demoRepository(['iris']), httpPort: port, host: '127.0.0.1', log: silentLogger(), createRunner: createModelRunner });
      await captured.waitFor((l) => l.event === 'endpoint_health' && l.to === 'up');
      assert.deepEqual((await backends(gw.adminUrl)).get('canary')!.endpoints.map((e) => [e.state, e.reason]), [['up', null]]);
      assert.deepEqual(captured.lines.filter((l) => l.event === 'endpoint_health'), [
        { level: 40, event: 'endpoint_health', endpoint: canaryUrl, backends: ['canary'], from: 'unknown', to: 'down', reason: 'connect ECONNREFUSED', msg: 'endpoint down: connect ECONNREFUSED' },
        { level: 30, event: 'endpoint_health', endpoint: canaryUrl, backends: ['canary'], from: 'down', to: 'up', msg: 'endpoint up' },
      ]);
    } finally {
      await gw.stop();
      await revived?.drain();
    }
  });

  it('stays ready with an idle blue-green preview down, and flips readiness with requireServableRoute only when no route can serve', async () => {
    const preview = `http://127.0.0.1:${await freePort()}`;
    const config = (requireServableRoute: boolean, active: string, fallback = '') => `
readiness: { requireServableRoute: ${requireServableRoute} }
backends:
  blue: { endpoints: [${active}], model: iris }
  green: { endpoints: [${preview}], model: iris }
routes:
  - name: iris
    match: { pathPrefix: /v2/models/iris }
    rollout: { strategy: blueGreen, active: blue, preview: green }
${fallback}`;
    const gw = await startTestGateway(config(false, stable.url), { probe: { intervalMs: 50 } });
    try {
      assert.equal((await getJson(`${gw.url}/readyz`)).status, 200);
      const green = (await backends(gw.adminUrl)).get('green')!;
      assert.deepEqual([green.live, green.routes, green.endpoints.map((e) => [e.state, e.reason])],
        [false, [{ route: 'iris', role: 'preview', live: false }], [['down', 'connect ECONNREFUSED']]]);

      // Active colour down as well: the route cannot serve, yet by default the replica is ready (it answers 503 itself).
      const deadActive = `http://127.0.0.1:${await freePort()}`;
      await gw.rewrite(config(false, deadActive));
      await probed(gw.adminUrl, 'blue');
      assert.equal((await getJson(`${gw.url}/readyz`)).status, 200);
      const refused = await postJson(`${gw.url}/v2/models/iris/infer`, iris);
      assert.deepEqual([refused.status, (refused.body as { code: string }).code], [503, 'NO_HEALTHY_ENDPOINT']);

      await gw.rewrite(config(true, deadActive));
      const strict = await getJson(`${gw.url}/readyz`);
      assert.equal(strict.status, 503);
      assert.deepEqual(strict.body, {
        error: 'not ready: no route can serve: none has a fallback, and no backend taking live traffic has a healthy endpoint (readiness.requireServableRoute)',
        code: 'NOT_READY', backends: { blue: { healthy: 0, total: 1 }, green: { healthy: 0, total: 1 } },
      });
      await gw.rewrite(config(true, deadActive, '    fallback: { static: { status: 200, body: { fallback: true } } }'));
      assert.equal((await getJson(`${gw.url}/readyz`)).status, 200, 'a route with a fallback can serve');
    } finally {
      await gw.stop();
    }
  });

  it('serves GET /admin/backends behind the admin token, GET only', async () => {
    const gw = await startTestGateway(`
backends:
  iris: { endpoints: [${stable.url}], model: iris }
routes:
  - { name: iris, match: { pathPrefix: /v2/models/iris }, backend: iris }
`, { adminToken: 'sesame' });
    try {
      const anonymous = await getJson(`${gw.adminUrl}/admin/backends`);
      assert.deepEqual([anonymous.status, (anonymous.body as { code: string }).code], [401, 'UNAUTHORIZED']);
      const res = await fetch(`${gw.adminUrl}/admin/backends`, { headers: { authorization: 'Bearer sesame' } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { backends: BackendView[] };
      assert.deepEqual(body.backends.map((b) => [b.name, b.live, b.endpoints.map((e) => e.state)]), [['iris', true, ['up']]]);
      const post = await fetch(`${gw.adminUrl}/admin/backends`, { method: 'POST', headers: { authorization: 'Bearer sesame' } });
      assert.deepEqual([post.status, ((await post.json()) as { code: string }).code], [405, 'METHOD_NOT_ALLOWED']);
    } finally {
      await gw.stop();
    }
  });

  it('is not ready while draining, whatever the backends', async () => {
    const upstream = await startEchoUpstream('u');
    const gw = await startTestGateway(`
backends:
  iris: { endpoints: [${stable.url}], model: iris }
  plain: { endpoints: [${upstream.url}] }
routes:
  - { name: iris, match: { pathPrefix: /v2/models/iris }, backend: iris }
  - { name: plain, match: { pathPrefix: / }, backend: plain }
`);
    try {
      assert.equal((await getJson(`${gw.adminUrl}/readyz`)).status, 200);
      const inFlight = fetch(`${gw.url}/hold`).then((res) => res.status);
      await upstream.held();
      const drained = gw.stop();
      const ready = await getJson(`${gw.adminUrl}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.body, {
        error: 'not ready: the gateway is shutting down', code: 'NOT_READY', backends: { iris: { healthy: 1, total: 1 }, plain: { healthy: 1, total: 1 } },
      });
      upstream.releaseHeld();
      assert.equal(await inFlight, 200);
      await drained;
    } finally {
      upstream.releaseHeld();
      await gw.stop();
      await upstream.close();
    }
  });
});

/** Waits until every endpoint of a backend has been probed (a reload's new endpoint is probed right after the swap). */
function probed(adminUrl: string, backend: string): Promise<void> {
  return until(async () => (await backends(adminUrl)).get(backend)!.endpoints.every((e) => e.state !== 'unknown'), `the first probe of ${backend}`, 5_000);
}
