import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerMetadataResponseMessage } from '../../../../protocol/grpc/messages.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { getJson, postJson } from '../../../helpers/http.js';
import type { TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import type { GrpcTestWorker } from '../../worker/grpc/grpc-worker.js';
import type { GatewayClient } from '../grpc/grpc-client.js';
import { startModelStack, type ModelStack } from '../grpc/model-stack.js';

const rows = generateTransactions(3, { seed: 21 });
const irisInstances = { instances: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] };

/** The demo fraud model has versions 1 and 2 (the worker's policy serves 2); the v1 routes pin version 1. */
const CONFIG = `
pools:
  cpu: { models: /unused }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  fraud-latest: { pool: cpu, model: fraud }
  iris-v1: { pool: cpu, model: iris, version: "1" }
routes:
  - { name: fraud-v1-api, match: { pathPrefix: /v1/models/fraud }, backend: fraud-v1 }
  - { name: iris-v1-api, match: { pathPrefix: /v1/models/iris }, backend: iris-v1 }
  - { name: fraud, match: { pathPrefix: /v2/models/fraud }, backend: fraud-latest }
`;

describe('the gateway as an Open Inference Protocol server on REST', () => {
  let stack: ModelStack;
  let worker: GrpcTestWorker;
  let gw: TestGateway;
  let client: GatewayClient;

  before(async () => {
    stack = await startModelStack(['fraud', 'iris'], CONFIG);
    ({ worker, gw, client } = stack);
  });
  after(() => stack.stop());

  it('answers /v2/health/live, /v2/health/ready and /v2 itself, as gRPC does', async () => {
    const live = await getJson(`${gw.url}/v2/health/live`);
    assert.equal(live.status, 200);
    assert.deepEqual(live.body, { live: true });
    const ready = await getJson(`${gw.url}/v2/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ready: true });
    assert.deepEqual((await client.ok('ServerReady', {})).response, { ready: true });
    const meta = await getJson(`${gw.url}/v2`);
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.body, { name: 'switchyard', version: '0.1.0', extensions: ['binary_tensor_data'] });
    assert.deepEqual((await client.ok<ServerMetadataResponseMessage>('ServerMetadata', {})).response, meta.body);
    assert.equal(meta.headers.get('x-switchyard-route'), null, 'no route answered it');
  });

  it('refuses other methods on them with 405 METHOD_NOT_ALLOWED', async () => {
    const res = await postJson(`${gw.url}/v2/health/live`, {});
    assert.equal(res.status, 405);
    assert.deepEqual(res.body, { error: '/v2/health/live does not accept POST; use GET', code: 'METHOD_NOT_ALLOWED' });
  });

  it('passes binary tensor data through a model route, the extension it announces', async () => {
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 30], parameters: { binary_data_size: 3 * 30 * 4 } }],
      outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
    }));
    const res = await fetch(`${gw.url}/v2/models/fraud/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, Buffer.from(new Float32Array(rows.flat()).buffer)]),
    });
    assert.equal(res.status, 200);
    const jsonLength = Number(res.headers.get('inference-header-content-length'));
    const raw = Buffer.from(await res.arrayBuffer());
    const tail = raw.subarray(jsonLength);
    const binary = Array.from(new Float32Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + 24)));
    const json = await postJson(`${gw.url}/v2/models/fraud/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 30], data: rows }] });
    assert.deepEqual(binary, (json.body as { outputs: { data: number[] }[] }).outputs[0]!.data);
  });

  it('routes POST /v1/models/iris:predict by a route on /v1/models/iris', async () => {
    const res = await postJson(`${gw.url}/v1/models/iris:predict`, irisInstances);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchyard-route'), 'iris-v1-api');
    const body = res.body as { predictions: number[][]; model_version: string };
    assert.equal(body.model_version, '1');
    assert.deepEqual(body.predictions.map((p) => p.indexOf(Math.max(...p))), [0, 2], 'setosa, virginica');
    const other = await postJson(`${gw.url}/v1/models/iris2:predict`, irisInstances);
    assert.equal(other.status, 404);
    assert.equal((other.body as { code: string }).code, 'ROUTE_NOT_FOUND');
  });

  it('serves v1 :predict with the route\'s pinned version, not the worker\'s latest', async () => {
    const res = await postJson(`${gw.url}/v1/models/fraud:predict`, { instances: rows });
    assert.equal(res.status, 200);
    assert.equal((res.body as { model_version: string }).model_version, '1');
    const direct = await postJson(`${worker.url}/v1/models/fraud:predict`, { instances: rows });
    assert.equal((direct.body as { model_version: string }).model_version, '2', 'the worker alone serves its latest');
  });

  it('answers GET /v1/models/{m} with KServe v1 readiness through the route', async () => {
    const iris = await getJson(`${gw.url}/v1/models/iris`);
    assert.equal(iris.status, 200);
    assert.deepEqual(iris.body, { name: 'iris', ready: true });
    assert.equal(iris.headers.get('x-switchyard-backend'), 'iris-v1');
    assert.deepEqual((await getJson(`${gw.url}/v1/models/fraud`)).body, { name: 'fraud', ready: true });
    assert.equal((await getJson(`${gw.url}/v1/models/ranker`)).status, 404);
  });
});
