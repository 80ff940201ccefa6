import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateTransactions } from '../../../worker/demo-models/build.js';
import { getJson, postJson } from '../../helpers/http.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';
import { startTestWorker } from '../../helpers/worker.js';

type Worker = Awaited<ReturnType<typeof startTestWorker>>;
interface InferBody { model_name: string; model_version: string; outputs: { name: string; data: number[] }[] }

const infer = { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 30], data: generateTransactions(2, { seed: 3 }) }] };

describe('model-aware routes in front of a real worker', () => {
  let worker: Worker;
  let gw: TestGateway;

  before(async () => {
    worker = await startTestWorker(['fraud']);
    gw = await startTestGateway(`
limits: { maxBodyBytes: 4KiB }
pools:
  cpu: { models: /unused }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  fraud-v2: { pool: cpu, model: fraud, version: 2 }
routes:
  - name: fraud-ab
    match: { pathPrefix: /v2/models/fraud, headers: { x-ab: "yes" } }
    experiment:
      id: fraud-ab
      unit: header:x-user-id
      variants: [{ name: control, backend: fraud-v1, weight: 50 }, { name: treatment, backend: fraud-v2, weight: 50 }]
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    backend: fraud-v2
`, { poolEndpoints: { cpu: [worker.url] } });
  });
  after(async () => {
    await gw.stop();
    await worker.drain();
  });

  it('rewrites /v2/models/fraud/infer to the backend version and says where it went', async () => {
    for (const path of ['/v2/models/fraud/infer', '/v2/models/fraud/versions/2/infer']) {
      const res = await postJson(`${gw.url}${path}`, infer);
      assert.equal(res.status, 200, path);
      const body = res.body as InferBody;
      assert.equal(body.model_name, 'fraud');
      assert.equal(body.model_version, '2', path);
      assert.equal(body.outputs[0]!.data.length, 4);
      assert.equal(res.headers.get('x-switchyard-backend'), 'fraud-v2');
      assert.equal(res.headers.get('x-switchyard-version'), '2');
      assert.equal(res.headers.get('x-switchyard-route'), 'fraud');
      assert.equal(res.headers.get('x-switchyard-variant'), null);
    }
  });

  it('never answers a request for version 1 with version 2: 404 MODEL_VERSION_NOT_ROUTED', async () => {
    const res = await postJson(`${gw.url}/v2/models/fraud/versions/1/infer`, infer);
    assert.equal(res.status, 404);
    assert.equal((res.body as { code: string }).code, 'MODEL_VERSION_NOT_ROUTED');
  });

  it('rewrites model metadata and readiness paths', async () => {
    const meta = await getJson(`${gw.url}/v2/models/fraud`);
    assert.equal(meta.status, 200);
    assert.equal((meta.body as { name: string }).name, 'fraud');
    assert.deepEqual((await getJson(`${gw.url}/v2/models/fraud/ready`)).body, { name: 'fraud', version: '2', ready: true });
  });

  it('refuses a body over limits.maxBodyBytes with 413 BODY_TOO_LARGE', async () => {
    const big = { inputs: [{ name: 'input', datatype: 'FP32', shape: [40, 30], data: generateTransactions(40, { seed: 1 }) }] };
    const res = await postJson(`${gw.url}/v2/models/fraud/infer`, big);
    assert.equal(res.status, 413);
    assert.equal((res.body as { code: string }).code, 'BODY_TOO_LARGE');
    assert.match((res.body as { error: string }).error, /over the limit of 4096 bytes/);
  });

  it('assigns experiment units stickily and serves control to requests without a unit', async () => {
    const seen = new Map<string, string>();
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u1', 'u2']) {
      const res = await postJson(`${gw.url}/v2/models/fraud/infer`, infer, { 'x-ab': 'yes', 'x-user-id': user });
      assert.equal(res.status, 200);
      const variant = res.headers.get('x-switchyard-variant')!;
      const version = (res.body as InferBody).model_version;
      assert.equal(version, variant === 'control' ? '1' : '2');
      if (seen.has(user)) assert.equal(variant, seen.get(user), `user ${user} moved`);
      seen.set(user, variant);
    }
    assert.deepEqual(new Set(seen.values()), new Set(['control', 'treatment']));
    const anonymous = await postJson(`${gw.url}/v2/models/fraud/infer`, infer, { 'x-ab': 'yes' });
    assert.equal(anonymous.headers.get('x-switchyard-variant'), 'control');
    assert.equal((anonymous.body as InferBody).model_version, '1');
  });

  it('is ready once the worker answers /v2/health/ready, on both listeners', async () => {
    for (const base of [gw.url, gw.adminUrl]) {
      const ready = await getJson(`${base}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body, { status: 'ready', backends: { 'fraud-v1': { healthy: 1, total: 1 }, 'fraud-v2': { healthy: 1, total: 1 } } });
      assert.deepEqual((await getJson(`${base}/healthz`)).body, { status: 'alive' });
    }
  });
});
