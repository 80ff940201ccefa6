import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { decodeGrpcInferResponse } from '../../../../protocol/grpc/infer-response.js';
import { encodeGrpcInferRequest } from '../../../../protocol/grpc/infer-request.js';
import type { ModelInferRequestMessage, ModelInferResponseMessage, ModelMetadataResponseMessage } from '../../../../protocol/grpc/messages.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { postJson } from '../../../helpers/http.js';
import { failure, inferenceClient, startGrpcTestWorker, type GrpcTestWorker, type PromiseClient } from './grpc-worker.js';

const rows = generateTransactions(4, { seed: 7 });

function fraudInput(batch: number[][]) {
  return { name: 'input', datatype: 'FP32' as const, shape: [batch.length, 30], data: new Float32Array(batch.flat()) };
}

function typedRequest(batch: number[][], extra: Partial<ModelInferRequestMessage> = {}): ModelInferRequestMessage {
  return { model_name: 'fraud', inputs: [{ name: 'input', datatype: 'FP32', shape: [batch.length, 30], contents: { fp32_contents: batch.flat() } }], ...extra };
}

describe('worker gRPC server (inference.GRPCInferenceService)', () => {
  let w: GrpcTestWorker;
  let client: PromiseClient;
  before(async () => {
    w = await startGrpcTestWorker(['fraud', 'iris']);
    client = inferenceClient(w.address);
  });
  after(async () => {
    client.close();
    await w.drain();
  });

  it('answers ServerLive, ServerReady, ModelReady and ServerMetadata', async () => {
    assert.deepEqual(await client.call('ServerLive', {}), { live: true });
    assert.deepEqual(await client.call('ServerReady', {}), { ready: true });
    assert.deepEqual(await client.call('ModelReady', { name: 'fraud' }), { ready: true });
    assert.deepEqual(await client.call('ModelReady', { name: 'iris', version: '1' }), { ready: true });
    assert.deepEqual(await client.call('ServerMetadata', {}), { name: 'switchyard', version: '0.1.0', extensions: ['binary_tensor_data'] });
  });

  it('answers ModelMetadata with versions, inputs and outputs (int64 shapes as decimal strings)', async () => {
    const meta = await client.call<ModelMetadataResponseMessage>('ModelMetadata', { name: 'fraud' });
    assert.deepEqual(meta, {
      name: 'fraud',
      versions: ['1', '2'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: ['-1', '30'] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['-1', '2'] }],
    });
    assert.deepEqual((await client.call<ModelMetadataResponseMessage>('ModelMetadata', { name: 'fraud', version: '1' })).versions, ['1']);
  });

  it('infers with typed contents and answers with typed contents; unversioned goes to the highest version', async () => {
    const res = await client.call<ModelInferResponseMessage>('ModelInfer', typedRequest(rows, { id: 'abc' }));
    assert.equal(res.model_name, 'fraud');
    assert.equal(res.model_version, '2');
    assert.equal(res.id, 'abc');
    assert.deepEqual(res.raw_output_contents, []);
    assert.deepEqual(res.outputs!.map((o) => [o.name, o.datatype, o.shape]), [['probabilities', 'FP32', ['4', '2']]]);
    const probs = res.outputs![0]!.contents!.fp32_contents!;
    assert.equal(probs.length, 8);
    for (let r = 0; r < 4; r++) assert.ok(Math.abs(probs[2 * r]! + probs[2 * r + 1]! - 1) < 1e-5);
  });

  it('infers with raw_input_contents and answers with raw_output_contents, equal to REST and to typed', async () => {
    const rawRequest = encodeGrpcInferRequest({ model_name: 'fraud', model_version: '1' }, [fraudInput(rows)], { raw: true });
    assert.equal(rawRequest.raw_input_contents!.length, 1);
    const raw = await client.call<ModelInferResponseMessage>('ModelInfer', rawRequest);
    assert.equal(raw.outputs![0]!.contents, null);
    assert.equal(raw.raw_output_contents![0]!.length, 4 * 2 * 4);
    const fromRaw = decodeGrpcInferResponse(raw).outputs[0]!;
    assert.deepEqual(fromRaw.shape, [4, 2]);

    const typed = await client.call<ModelInferResponseMessage>('ModelInfer', typedRequest(rows, { model_version: '1' }));
    const rest = await postJson(`${w.url}/v2/models/fraud/versions/1/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [4, 30], data: rows }] });
    const restData = (rest.body as { outputs: { data: number[] }[] }).outputs[0]!.data;
    assert.deepEqual(Array.from(fromRaw.data as Float32Array), restData);
    assert.deepEqual(typed.outputs![0]!.contents!.fp32_contents, restData);
  });

  it('reads priority and timeout parameters as REST does', async () => {
    const ok = await client.call<ModelInferResponseMessage>('ModelInfer', typedRequest(rows, { parameters: { priority: { int64_param: 1 }, timeout: { int64_param: 5_000_000 } } }));
    assert.equal(ok.outputs!.length, 1);
    assert.deepEqual(await failure(client.call('ModelInfer', typedRequest(rows, { parameters: { priority: { int64_param: 9 } } }))), {
      code: Status.INVALID_ARGUMENT,
      details: 'parameters.priority: expected an integer level 1..1 (1 is highest), received 9',
      switchyardCode: 'INVALID_REQUEST',
    });
  });

  const one = rows.slice(0, 1);
  const cases: [string, ModelInferRequestMessage, number, string, string][] = [
    ['unknown model', { ...typedRequest(one), model_name: 'nope' }, Status.NOT_FOUND, 'MODEL_NOT_FOUND', "model 'nope' is not served here; models served here: fraud, iris"],
    ['unknown version', typedRequest(one, { model_version: '9' }), Status.NOT_FOUND, 'VERSION_NOT_FOUND', "model 'fraud' has no loaded version '9'; loaded versions: 1, 2"],
    ['wrong input name', { model_name: 'fraud', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 30], contents: { fp32_contents: one[0] } }] }, Status.INVALID_ARGUMENT, 'UNKNOWN_INPUT', "inputs[0].name: model 'fraud' has no input 'x'; its inputs are: input"],
    ['wrong shape', { model_name: 'fraud', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 29], contents: { fp32_contents: one[0]!.slice(1) } }] }, Status.INVALID_ARGUMENT, 'SHAPE_MISMATCH', "input 'input': expected shape [-1,30] (-1 = any size), received [1,29]"],
    ['wrong datatype', { model_name: 'fraud', inputs: [{ name: 'input', datatype: 'FP64', shape: [1, 30], contents: { fp64_contents: one[0] } }] }, Status.INVALID_ARGUMENT, 'DATATYPE_MISMATCH', "input 'input': expected datatype FP32, received FP64"],
    ['unknown datatype', { model_name: 'fraud', inputs: [{ name: 'input', datatype: 'FLOAT', shape: [1, 30] }] }, Status.INVALID_ARGUMENT, 'DATATYPE_MISMATCH', 'inputs[0].datatype: expected one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES, received "FLOAT"'],
    ['wrong element count', { model_name: 'fraud', inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 30], contents: { fp32_contents: one[0] } }] }, Status.INVALID_ARGUMENT, 'ELEMENT_COUNT_MISMATCH', 'inputs[0].contents.fp32_contents: the shape holds 60 elements but 30 were sent'],
    ['wrong raw size', { model_name: 'fraud', inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 30] }], raw_input_contents: [Buffer.alloc(120)] }, Status.INVALID_ARGUMENT, 'ELEMENT_COUNT_MISMATCH', 'raw_input_contents[0]: holds 120 bytes but the shape holds 60 FP32 elements (240 bytes)'],
    ['value out of range', typedRequest([[...one[0]!.slice(0, 29), -5]]), Status.INVALID_ARGUMENT, 'VALUE_OUT_OF_RANGE', "input 'input' row 0, feature 'amount' (index 29): expected a value in 0..100000, received -5"],
    ['no inputs', { model_name: 'fraud' }, Status.INVALID_ARGUMENT, 'INVALID_REQUEST', 'inputs: expected a non-empty array of tensors, received []'],
    ['unknown output', { ...typedRequest(one), outputs: [{ name: 'logits' }] }, Status.INVALID_ARGUMENT, 'UNKNOWN_OUTPUT', "outputs: model 'fraud' has no output 'logits'; its outputs are: probabilities"],
    ['batch too large', { model_name: 'iris', inputs: [{ name: 'input', datatype: 'FP32', shape: [33, 4], contents: { fp32_contents: Array<number>(132).fill(1) } }] }, Status.INVALID_ARGUMENT, 'BATCH_TOO_LARGE', "input 'input': batch of 33 rows exceeds model 'iris' max batch size 32; split the request"],
  ];
  for (const [what, request, code, switchyardCode, details] of cases) {
    it(`answers ${Status[code]} ${switchyardCode} for ${what}, with REST's message`, async () => {
      assert.deepEqual(await failure(client.call('ModelInfer', request)), { code, details, switchyardCode });
    });
  }

  it('answers NOT_FOUND for metadata and readiness of an unknown model', async () => {
    const details = "model 'nope' is not served here; models served here: fraud, iris";
    assert.deepEqual(await failure(client.call('ModelMetadata', { name: 'nope' })), { code: Status.NOT_FOUND, details, switchyardCode: 'MODEL_NOT_FOUND' });
    assert.deepEqual(await failure(client.call('ModelReady', { name: 'nope' })), { code: Status.NOT_FOUND, details, switchyardCode: 'MODEL_NOT_FOUND' });
  });

  it('counts gRPC requests in the same metrics as REST', async () => {
    // prom-client hands out its live value objects, so read the numbers at once.
    const count = async (outcome: string) => (await w.metrics.requests.get()).values.find((v) => v.labels.model === 'iris' && v.labels.version === '1' && v.labels.outcome === outcome)?.value ?? 0;
    const [ok, clientError] = [await count('ok'), await count('client_error')];
    const iris = (data: number[], shape: number[]): ModelInferRequestMessage => ({ model_name: 'iris', inputs: [{ name: 'input', datatype: 'FP32', shape, contents: { fp32_contents: data } }] });
    await client.call('ModelInfer', iris([5, 3, 1, 0.2], [1, 4]));
    await failure(client.call('ModelInfer', iris([1, 2, 3], [1, 3])));
    assert.equal(await count('ok'), ok + 1);
    assert.equal(await count('client_error'), clientError + 1);
  });
});
