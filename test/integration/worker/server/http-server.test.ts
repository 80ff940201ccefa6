import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { startTestWorker } from '../../../helpers/worker.js';
import { until } from '../../../helpers/process.js';

type Worker = Awaited<ReturnType<typeof startTestWorker>>;
interface InferBody { model_name: string; model_version: string; outputs: { name: string; shape: number[]; datatype: string; data: number[] }[] }

const rows = generateTransactions(4, { seed: 7 });
const MAX_BODY = 64 * 1024;

function fraudRequest(batch: number[][]) {
  return { inputs: [{ name: 'input', datatype: 'FP32', shape: [batch.length, 30], data: batch }] };
}

describe('worker REST server (Open Inference Protocol v2)', () => {
  let w: Worker;
  before(async () => {
    w = await startTestWorker(['fraud', 'iris'], { maxBodyBytes: MAX_BODY });
  });
  after(async () => {
    await w.drain();
  });

  it('answers health, server metadata and model metadata', async () => {
    assert.deepEqual((await getJson(`${w.url}/v2/health/live`)).body, { live: true });
    assert.deepEqual(await getJson(`${w.url}/v2/health/ready`).then((r) => [r.status, r.body]), [200, { ready: true }]);
    assert.deepEqual((await getJson(`${w.url}/v2`)).body, { name: 'switchyard', version: '0.1.0', extensions: ['binary_tensor_data', 'model_repository'] });
    const metadata = await getJson(`${w.url}/v2/models/fraud`);
    const { sha256, manifest, ...protocolFields } = metadata.body as { sha256: string; manifest: { sha256: string; version: string } };
    assert.deepEqual(protocolFields, {
      name: 'fraud',
      versions: ['1', '2'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 30] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
    });
    // Beyond the protocol: the served file's sha256, equal to its manifest's, also in a header.
    assert.deepEqual([manifest.version, manifest.sha256, metadata.headers.get('x-switchyard-model-sha256')], ['2', sha256, sha256]);
    assert.equal((await getJson(`${w.url}/v2/models/fraud/versions/1`)).status, 200);
    assert.deepEqual((await getJson(`${w.url}/v2/models/iris/versions/1/ready`)).body, { name: 'iris', version: '1', ready: true });
  });

  it('infers with JSON tensors; unversioned calls go to the highest version', async () => {
    const latest = await postJson(`${w.url}/v2/models/fraud/infer`, { id: 'abc', ...fraudRequest(rows) });
    assert.equal(latest.status, 200);
    const body = latest.body as InferBody;
    assert.equal(body.model_name, 'fraud');
    assert.equal(body.model_version, '2');
    assert.equal((latest.body as { id: string }).id, 'abc');
    assert.deepEqual(body.outputs.map((o) => [o.name, o.datatype, o.shape]), [['probabilities', 'FP32', [4, 2]]]);
    const probs = body.outputs[0]!.data;
    for (let r = 0; r < 4; r++) assert.ok(Math.abs(probs[2 * r]! + probs[2 * r + 1]! - 1) < 1e-5);
    const v1 = await postJson(`${w.url}/v2/models/fraud/versions/1/infer`, fraudRequest(rows));
    assert.equal((v1.body as InferBody).model_version, '1');
  });

  it('sends a JSON answer\'s Content-Length in bytes, not characters (a non-ASCII id)', async () => {
    const id = 'échantillon-№1';
    const res = await fetch(`${w.url}/v2/models/fraud/versions/1/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, ...fraudRequest(rows) }),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    assert.ok(bytes.length > bytes.toString('utf8').length, 'the answer holds multi-byte characters');
    assert.equal((JSON.parse(bytes.toString('utf8')) as { id: string }).id, id);
  });

  it('speaks the binary tensor data extension both ways and agrees with JSON', async () => {
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'input', datatype: 'FP32', shape: [4, 30], parameters: { binary_data_size: 4 * 30 * 4 } }],
      outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
    }));
    const data = Buffer.from(new Float32Array(rows.flat()).buffer);
    const res = await fetch(`${w.url}/v2/models/fraud/versions/1/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, data]),
    });
    assert.equal(res.status, 200);
    const jsonLength = Number(res.headers.get('inference-header-content-length'));
    const raw = Buffer.from(await res.arrayBuffer());
    const head = JSON.parse(raw.subarray(0, jsonLength).toString());
    assert.deepEqual(head.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [4, 2], parameters: { binary_data_size: 32 } }]);
    const tail = raw.subarray(jsonLength);
    const binary = Array.from(new Float32Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + 32)));
    const json = ((await postJson(`${w.url}/v2/models/fraud/versions/1/infer`, fraudRequest(rows))).body as InferBody).outputs[0]!.data;
    assert.deepEqual(binary, json);
  });

  it('applies binary_data_output to listed outputs that do not choose for themselves', async () => {
    const res = await fetch(`${w.url}/v2/models/fraud/versions/1/infer`, {
      method: 'POST',
      body: JSON.stringify({ ...fraudRequest(rows.slice(0, 1)), parameters: { binary_data_output: true }, outputs: [{ name: 'probabilities' }] }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    const jsonLength = Number(res.headers.get('inference-header-content-length'));
    const raw = Buffer.from(await res.arrayBuffer());
    assert.deepEqual(JSON.parse(raw.subarray(0, jsonLength).toString()).outputs[0].parameters, { binary_data_size: 8 });
    assert.equal(raw.length - jsonLength, 8);
  });

  it('serves the v1 :predict form with one prediction per instance', async () => {
    const res = await postJson(`${w.url}/v1/models/iris:predict`, { instances: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] });
    assert.equal(res.status, 200);
    const predictions = (res.body as { predictions: number[][] }).predictions;
    assert.equal(predictions.length, 2);
    assert.equal(predictions[0]!.indexOf(Math.max(...predictions[0]!)), 0, 'setosa');
    assert.equal(predictions[1]!.indexOf(Math.max(...predictions[1]!)), 2, 'virginica');
  });

  const good = () => fraudRequest(rows.slice(0, 1));
  const badInputs: [string, string, unknown, number, string, string][] = [
    ['malformed JSON', '/v2/models/fraud/infer', '{"inputs": [', 400, 'INVALID_JSON', 'the request body is not valid JSON: '],
    ['unknown model', '/v2/models/nope/infer', good(), 404, 'MODEL_NOT_FOUND', "model 'nope' is not served here; models served here: fraud, iris"],
    ['unknown version', '/v2/models/fraud/versions/9/infer', good(), 404, 'VERSION_NOT_FOUND', "model 'fraud' has no loaded version '9'; loaded versions: 1, 2"],
    ['wrong input name', '/v2/models/fraud/infer', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 30], data: rows[0] }] }, 400, 'UNKNOWN_INPUT', "inputs[0].name: model 'fraud' has no input 'x'; its inputs are: input"],
    ['wrong shape', '/v2/models/fraud/infer', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 29], data: rows[0]!.slice(1) }] }, 400, 'SHAPE_MISMATCH', "input 'input': expected shape [-1,30] (-1 = any size), received [1,29]"],
    ['wrong datatype', '/v2/models/fraud/infer', { inputs: [{ name: 'input', datatype: 'FP64', shape: [1, 30], data: rows[0] }] }, 400, 'DATATYPE_MISMATCH', "input 'input': expected datatype FP32, received FP64"],
    ['wrong element count', '/v2/models/fraud/infer', { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 30], data: rows[0] }] }, 400, 'ELEMENT_COUNT_MISMATCH', 'inputs[0].data: the shape holds 60 elements but 30 were sent'],
    ['value out of range', '/v2/models/fraud/infer', fraudRequest([[...rows[0]!.slice(0, 29), -5]]), 400, 'VALUE_OUT_OF_RANGE', "input 'input' row 0, feature 'amount' (index 29): expected a value in 0..100000, received -5"],
    ['missing input', '/v2/models/fraud/infer', { inputs: [] }, 400, 'INVALID_REQUEST', 'inputs: expected a non-empty array of tensors, received []'],
    ['unknown output', '/v2/models/fraud/infer', { ...good(), outputs: [{ name: 'logits' }] }, 400, 'UNKNOWN_OUTPUT', "outputs: model 'fraud' has no output 'logits'; its outputs are: probabilities"],
    ['batch too large', '/v2/models/iris/infer', { inputs: [{ name: 'input', datatype: 'FP32', shape: [33, 4], data: Array(132).fill(1) }] }, 400, 'BATCH_TOO_LARGE', "input 'input': batch of 33 rows exceeds model 'iris' max batch size 32; split the request"],
    ['unknown path', '/v2/modelz', {}, 404, 'NOT_FOUND', 'no such endpoint: POST /v2/modelz'],
  ];
  for (const [what, path, body, status, code, message] of badInputs) {
    it(`answers ${status} ${code} for ${what}`, async () => {
      const res = await postJson(`${w.url}${path}`, body);
      assert.equal(res.status, status);
      const err = res.body as { error: string; code: string };
      assert.equal(err.code, code);
      if (message.endsWith(': ')) assert.ok(err.error.startsWith(message), err.error);
      else assert.equal(err.error, message);
    });
  }

  it('refuses NaN sent as binary data', async () => {
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], parameters: { binary_data_size: 120 } }] }));
    const values = new Float32Array(rows[0]!);
    values[3] = NaN;
    const res = await fetch(`${w.url}/v2/models/fraud/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, Buffer.from(values.buffer)]),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: "input 'input' row 0, feature 'v3' (index 3): expected a finite number, received NaN", code: 'VALUE_NOT_FINITE' });
  });

  it('answers 413 for a body over the limit, declared or streamed, and keeps serving', async () => {
    const big = Buffer.alloc(MAX_BODY + 1, 0x20);
    const declared = await postJson(`${w.url}/v2/models/fraud/infer`, big);
    assert.equal(declared.status, 413);
    assert.deepEqual(declared.body, { error: `the request body (${MAX_BODY + 1} bytes) is over the limit of ${MAX_BODY} bytes; send fewer rows per request or raise the limit`, code: 'BODY_TOO_LARGE' });
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${w.url}/v2/models/fraud/infer`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.write(big.subarray(0, MAX_BODY / 2));
      req.end(big.subarray(MAX_BODY / 2));
    });
    assert.equal(streamed.status, 413);
    assert.equal(JSON.parse(streamed.body).code, 'BODY_TOO_LARGE');
    assert.equal((await postJson(`${w.url}/v2/models/fraud/infer`, good())).status, 200);
  });

  it('counts an upload the client cut off as cancelled, answers nothing and keeps serving', async () => {
    const req = request(`${w.url}/v2/models/fraud/versions/2/infer`, { method: 'POST', headers: { 'content-length': '1000' } });
    req.on('error', () => undefined);
    req.write('{"inputs": [');
    await until(async () => w.http.inFlightRequests === 1, 'the upload to arrive');
    req.destroy();
    await until(async () => /^switchyard_worker_requests_total\{model="fraud",version="2",outcome="cancelled"\} 1$/m.test(await (await fetch(`${w.url}/metrics`)).text()), 'the cancellation to be counted');
    assert.equal((await postJson(`${w.url}/v2/models/fraud/versions/2/infer`, good())).status, 200);
  });

  it('counts requests by model, version and outcome, and batches, in /metrics', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await postJson(`${w.url}/v2/models/iris/versions/1/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 4], data: [5, 3, 1, 0.2, 6, 3, 5, 2] }] })).status, 200);
    await postJson(`${w.url}/v2/models/iris/versions/1/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
    const text = await (await fetch(`${w.url}/metrics`)).text();
    assert.match(text, /^switchyard_worker_requests_total\{model="iris",version="1",outcome="ok"\} 4$/m);
    assert.match(text, /^switchyard_worker_requests_total\{model="iris",version="1",outcome="client_error"\} 2$/m);
    assert.match(text, /^switchyard_worker_batch_size_count\{model="iris",version="1"\} [1-9]/m);
    assert.match(text, /^switchyard_worker_queue_depth\{model="iris",version="1"\} 0$/m);
    assert.match(text, /^switchyard_worker_compute_seconds_bucket\{le="\+Inf",model="iris",version="1"\} [1-9]/m);
  });
});
