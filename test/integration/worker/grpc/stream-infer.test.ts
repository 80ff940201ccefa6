import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeGrpcInferRequest } from '../../../../protocol/grpc/infer-request.js';
import { decodeGrpcInferResponse } from '../../../../protocol/grpc/infer-response.js';
import type { ModelInferRequestMessage, ModelStreamInferResponseMessage } from '../../../../protocol/grpc/messages.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { postJson } from '../../../helpers/http.js';
import { inferenceClient, openInferStream, startGrpcTestWorker, type GrpcTestWorker, type PromiseClient } from './grpc-worker.js';

const N = 1000;
const rows = generateTransactions(N, { seed: 11 });

/** Sends every request on one ModelStreamInfer call, half-closes, and collects the answers. */
async function streamAll(client: PromiseClient, requests: readonly ModelInferRequestMessage[]): Promise<ModelStreamInferResponseMessage[]> {
  const stream = openInferStream(client);
  const answers: ModelStreamInferResponseMessage[] = [];
  stream.on('data', (a: ModelStreamInferResponseMessage) => answers.push(a));
  const ended = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
  });
  for (const r of requests) stream.write(r);
  stream.end();
  await ended;
  return answers;
}

describe('worker gRPC ModelStreamInfer', () => {
  let w: GrpcTestWorker;
  let client: PromiseClient;
  before(async () => {
    w = await startGrpcTestWorker(['fraud']);
    client = inferenceClient(w.address);
  });
  after(async () => {
    client.close();
    await w.drain();
  });

  it(`answers ${N} requests in order, losing none; failures are per message and the stream goes on`, async () => {
    const bad = (i: number) => i % 97 === 13;
    const requests = rows.map((row, i) => {
      if (bad(i)) return { model_name: 'fraud', model_version: '1', id: `r${i}`, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 29], contents: { fp32_contents: row.slice(1) } }] };
      const input = { name: 'input', datatype: 'FP32' as const, shape: [1, 30], data: new Float32Array(row) };
      return encodeGrpcInferRequest({ model_name: 'fraud', model_version: '1', id: `r${i}` }, [input], { raw: i % 2 === 0 });
    });
    const answers = await streamAll(client, requests);

    assert.equal(answers.length, N);
    assert.deepEqual(answers.map((a) => a.infer_response!.id), rows.map((_, i) => `r${i}`));
    const expected: number[] = [];
    for (let at = 0; at < N; at += 50) {
      const rest = await postJson(`${w.url}/v2/models/fraud/versions/1/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [50, 30], data: rows.slice(at, at + 50) }] });
      expected.push(...(rest.body as { outputs: { data: number[] }[] }).outputs[0]!.data);
    }
    answers.forEach((a, i) => {
      if (bad(i)) {
        assert.equal(a.error_message, "input 'input': expected shape [-1,30] (-1 = any size), received [1,29]", `answer ${i}`);
        assert.deepEqual(a.infer_response!.parameters, {
          error_code: { string_param: 'SHAPE_MISMATCH', parameter_choice: 'string_param' },
          grpc_status_code: { int64_param: '3', parameter_choice: 'int64_param' },
        });
        return;
      }
      assert.equal(a.error_message, '', `answer ${i}`);
      assert.equal(a.infer_response!.raw_output_contents!.length > 0, i % 2 === 0, `answer ${i} mirrors its request's form`);
      const probs = Array.from(decodeGrpcInferResponse(a.infer_response!).outputs[0]!.data as Float32Array);
      for (let k = 0; k < 2; k++) assert.ok(Math.abs(probs[k]! - expected[2 * i + k]!) < 1e-6, `answer ${i}: ${probs} vs REST ${expected.slice(2 * i, 2 * i + 2)}`);
    });
  });

  it('answers a request for an unknown model with error_message and NOT_FOUND in its parameters', async () => {
    const [a] = await streamAll(client, [{ model_name: 'nope', id: 'x', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], contents: { fp32_contents: rows[0] } }] }]);
    assert.equal(a!.error_message, "model 'nope' is not served here; models served here: fraud");
    assert.equal(a!.infer_response!.id, 'x');
    assert.equal(a!.infer_response!.model_name, 'nope');
    assert.equal(a!.infer_response!.parameters!.grpc_status_code!.int64_param, '5');
  });
});
