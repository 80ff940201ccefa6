import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeGrpcInferResponse } from '../../../../protocol/grpc/infer-response.js';
import { encodeGrpcInferRequest } from '../../../../protocol/grpc/infer-request.js';
import type { ModelInferRequestMessage, ModelInferResponseMessage, ModelMetadataResponseMessage } from '../../../../protocol/grpc/messages.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { postJson } from '../../../helpers/http.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { startGrpcTestWorker, type GrpcTestWorker } from '../../worker/grpc/grpc-worker.js';
import { GatewayClient } from './grpc-client.js';

const rows = generateTransactions(3, { seed: 11 });

function fraudRequest(batch: number[][], extra: Partial<ModelInferRequestMessage> = {}): ModelInferRequestMessage {
  return { model_name: 'fraud', inputs: [{ name: 'input', datatype: 'FP32', shape: [batch.length, 30], contents: { fp32_contents: batch.flat() } }], ...extra };
}

interface RestAnswer { model_name: string; model_version: string; outputs: { name: string; datatype: string; shape: number[]; data: number[] }[] }

describe('the gateway\'s gRPC listener in front of a real worker', () => {
  let worker: GrpcTestWorker;
  let gw: TestGateway;
  let client: GatewayClient;

  before(async () => {
    worker = await startGrpcTestWorker(['fraud', 'iris']);
    gw = await startTestGateway(`
pools:
  cpu: { models: /unused }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  fraud-v2: { pool: cpu, model: fraud, version: 2 }
  iris-v1: { pool: cpu, model: iris, version: "1" }
routes:
  - name: fraud-ab
    match: { pathPrefix: /v2/models/fraud, headers: { x-ab: "yes" } }
    experiment:
      id: fraud-ab
      unit: header:x-user-id
      variants: [{ name: control, backend: fraud-v1, weight: 50 }, { name: treatment, backend: fraud-v2, weight: 50 }]
  - name: fraud-canary
    match: { pathPrefix: /v2/models/fraud, headers: { x-canary: "yes" } }
    rollout: { strategy: canary, stable: fraud-v1, canary: fraud-v2, weight: 30, steps: [30, 100], interval: 1h }
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    backend: fraud-v2
  - name: iris
    match: { pathPrefix: /v2/models/iris }
    backend: iris-v1
`, { poolEndpoints: { cpu: [worker.url] }, poolGrpcEndpoints: { cpu: [worker.address] } });
    client = new GatewayClient(`127.0.0.1:${gw.gateway.grpcPort}`);
  });
  after(async () => {
    client.close();
    await gw.stop();
    await worker.drain();
  });

  it('answers the server-level RPCs itself', async () => {
    assert.deepEqual((await client.ok('ServerLive', {})).response, { live: true });
    assert.deepEqual((await client.ok('ServerReady', {})).response, { ready: true });
    assert.deepEqual((await client.ok('ServerMetadata', {})).response, { name: 'switchyard', version: '0.1.0', extensions: ['binary_tensor_data'] });
  });

  it('forwards ModelMetadata and ModelReady to the route\'s backend, at its version', async () => {
    const meta = await client.ok<ModelMetadataResponseMessage>('ModelMetadata', { name: 'fraud' });
    assert.deepEqual(meta.response, {
      name: 'fraud', versions: ['2'], platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: ['-1', '30'] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['-1', '2'] }],
    });
    assert.equal(meta.metadata['x-switchyard-route'], 'fraud');
    assert.equal(meta.metadata['x-switchyard-backend'], 'fraud-v2');
    const ready = await client.ok('ModelReady', { name: 'iris' });
    assert.deepEqual(ready.response, { ready: true });
    assert.equal(ready.metadata['x-switchyard-version'], '1');
  });

  it('routes ModelInfer by model_name, puts the backend\'s version into model_version and says where it went', async () => {
    const { response, metadata } = await client.ok<ModelInferResponseMessage>('ModelInfer', fraudRequest(rows, { id: 'req-7' }), { 'x-request-id': 'rid-1' });
    assert.equal(response.model_name, 'fraud');
    assert.equal(response.model_version, '2');
    assert.equal(response.id, 'req-7');
    assert.deepEqual(response.outputs!.map((o) => [o.name, o.shape]), [['probabilities', ['3', '2']]]);
    assert.equal(metadata['x-request-id'], 'rid-1');
    assert.equal(metadata['x-switchyard-route'], 'fraud');
    assert.equal(metadata['x-switchyard-backend'], 'fraud-v2');
    assert.equal(metadata['x-switchyard-version'], '2');
    assert.equal(metadata['x-switchyard-variant'], undefined);
  });

  it('gives the same outputs as REST for the same inputs, typed and raw', async () => {
    const rest = await postJson(`${gw.url}/v2/models/fraud/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 30], data: rows }] });
    assert.equal(rest.status, 200);
    const restBody = rest.body as RestAnswer;
    const typed = (await client.ok<ModelInferResponseMessage>('ModelInfer', fraudRequest(rows))).response;
    assert.equal(typed.model_version, restBody.model_version);
    assert.deepEqual(typed.outputs![0]!.contents!.fp32_contents, restBody.outputs[0]!.data);

    const rawRequest = encodeGrpcInferRequest({ model_name: 'fraud' }, [{ name: 'input', datatype: 'FP32', shape: [3, 30], data: new Float32Array(rows.flat()) }], { raw: true });
    const raw = (await client.ok<ModelInferResponseMessage>('ModelInfer', rawRequest)).response;
    const decoded = decodeGrpcInferResponse(raw).outputs[0]!;
    assert.deepEqual(decoded.shape, [3, 2]);
    assert.deepEqual(Array.from(decoded.data as Float32Array), restBody.outputs[0]!.data);

    const iris = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] };
    const restIris = (await postJson(`${gw.url}/v2/models/iris/infer`, iris)).body as RestAnswer;
    const grpcIris = (await client.ok<ModelInferResponseMessage>('ModelInfer', { model_name: 'iris', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [5.1, 3.5, 1.4, 0.2] } }] })).response;
    assert.deepEqual(grpcIris.outputs![0]!.contents!.fp32_contents, restIris.outputs[0]!.data);
  });

  it('assigns experiment units from metadata stickily, the same variant as REST gives the same unit', async () => {
    const variants = new Map<string, string>();
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8']) {
      const { response, metadata } = await client.ok<ModelInferResponseMessage>('ModelInfer', fraudRequest(rows.slice(0, 1)), { 'x-ab': 'yes', 'x-user-id': user });
      const variant = metadata['x-switchyard-variant']!;
      assert.equal(metadata['x-switchyard-route'], 'fraud-ab');
      assert.equal(response.model_version, variant === 'control' ? '1' : '2');
      variants.set(user, variant);
      const again = await client.ok('ModelInfer', fraudRequest(rows.slice(0, 1)), { 'x-ab': 'yes', 'x-user-id': user });
      assert.equal(again.metadata['x-switchyard-variant'], variant, `sticky for ${user}`);
      const rest = await postJson(`${gw.url}/v2/models/fraud/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: rows[0] }] }, { 'x-ab': 'yes', 'x-user-id': user });
      assert.equal(rest.headers.get('x-switchyard-variant'), variant, `REST and gRPC agree for ${user}`);
    }
    assert.deepEqual(new Set(variants.values()), new Set(['control', 'treatment']));
    const anonymous = await client.ok('ModelInfer', fraudRequest(rows.slice(0, 1)), { 'x-ab': 'yes' });
    assert.equal(anonymous.metadata['x-switchyard-variant'], 'control');
  });

  it('splits a canary by weight, and a unit in x-switchyard-unit stays on its side', async () => {
    const versions: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { response, metadata } = await client.ok<ModelInferResponseMessage>('ModelInfer', fraudRequest(rows.slice(0, 1)), { 'x-canary': 'yes' });
      assert.equal(metadata['x-switchyard-backend'], `fraud-v${response.model_version}`);
      versions.push(response.model_version!);
    }
    const canary = versions.filter((v) => v === '2').length;
    // Weight 30 of 200 random calls: mean 60, sd 6.5; 34..86 is four standard deviations.
    assert.ok(canary >= 34 && canary <= 86, `canary answered ${canary} of 200`);
    for (const unit of ['a', 'b', 'c', 'd']) {
      const first = (await client.ok('ModelInfer', fraudRequest(rows.slice(0, 1)), { 'x-canary': 'yes', 'x-switchyard-unit': unit })).metadata['x-switchyard-backend'];
      for (let i = 0; i < 5; i++) {
        const next = await client.ok('ModelInfer', fraudRequest(rows.slice(0, 1)), { 'x-canary': 'yes', 'x-switchyard-unit': unit });
        assert.equal(next.metadata['x-switchyard-backend'], first);
      }
    }
  });

  it('counts gRPC calls with the same metric labels as HTTP', async () => {
    const count = async (backend: string, outcome: string): Promise<number> => {
      const metric = await gw.gateway.metrics.registry.getSingleMetric('switchyard_gateway_requests_total')!.get();
      return metric.values.find((v) => v.labels.route === 'iris' && v.labels.backend === backend && v.labels.outcome === outcome)?.value ?? 0;
    };
    const before = await count('iris-v1', 'success');
    const iris = { model_name: 'iris', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [6.7, 3, 5.2, 2.3] } }] };
    await client.ok('ModelInfer', iris);
    await client.ok('ModelInfer', iris);
    await postJson(`${gw.url}/v2/models/iris/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [6.7, 3, 5.2, 2.3] }] });
    assert.equal(await count('iris-v1', 'success'), before + 3);
  });
});
