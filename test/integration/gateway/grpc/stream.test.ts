import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeGrpcInferRequest } from '../../../../protocol/grpc/infer-request.js';
import { decodeGrpcInferResponse } from '../../../../protocol/grpc/infer-response.js';
import type { ModelInferRequestMessage, ModelStreamInferResponseMessage } from '../../../../protocol/grpc/messages.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { postJson } from '../../../helpers/http.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { startGrpcTestWorker, type GrpcTestWorker } from '../../worker/grpc/grpc-worker.js';
import { GatewayClient, textValues } from './grpc-client.js';

const N = 1000;
const rows = generateTransactions(N, { seed: 23 });

/** Sends every request on one ModelStreamInfer call, half-closes, and collects the answers and the response metadata. */
async function streamAll(client: GatewayClient, requests: readonly ModelInferRequestMessage[], metadata: Record<string, string> = {}) {
  const stream = client.openStream(metadata);
  const answers: ModelStreamInferResponseMessage[] = [];
  let head: Record<string, string> = {};
  stream.on('metadata', (m) => (head = textValues(m)));
  stream.on('data', (a: ModelStreamInferResponseMessage) => answers.push(a));
  const ended = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
  });
  for (const r of requests) stream.write(r);
  stream.end();
  await ended;
  return { answers, metadata: head };
}

describe('ModelStreamInfer through the gateway', () => {
  let worker: GrpcTestWorker;
  let gw: TestGateway;
  let client: GatewayClient;

  before(async () => {
    worker = await startGrpcTestWorker(['fraud']);
    gw = await startTestGateway(`
pools:
  cpu: { models: /unused }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
routes:
  - { name: fraud, match: { pathPrefix: /v2/models/fraud }, backend: fraud-v1 }
`, { poolEndpoints: { cpu: [worker.url] }, poolGrpcEndpoints: { cpu: [worker.address] } });
    client = new GatewayClient(`127.0.0.1:${gw.gateway.grpcPort}`);
  });
  after(async () => {
    client.close();
    await gw.stop();
    await worker.drain();
  });

  it(`answers ${N} requests in order, losing none, with REST's outputs; failures are per message and the stream goes on`, async () => {
    const bad = (i: number) => i % 101 === 17;
    const unrouted = (i: number) => i % 101 === 59;
    const requests = rows.map((row, i): ModelInferRequestMessage => {
      if (bad(i)) return { model_name: 'fraud', id: `r${i}`, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 29], contents: { fp32_contents: row.slice(1) } }] };
      if (unrouted(i)) return { model_name: 'nope', id: `r${i}`, inputs: [] };
      // The client names version 1, the version the route's backend is pinned to.
      return encodeGrpcInferRequest({ model_name: 'fraud', model_version: '1', id: `r${i}` }, [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: new Float32Array(row) }], { raw: i % 2 === 0 });
    });
    const { answers, metadata } = await streamAll(client, requests, { 'x-request-id': 'stream-1' });

    assert.equal(metadata['x-request-id'], 'stream-1');
    assert.equal(metadata['x-switchyard-route'], 'fraud');
    assert.equal(metadata['x-switchyard-backend'], 'fraud-v1');
    assert.equal(answers.length, N);
    assert.deepEqual(answers.map((a) => a.infer_response!.id), rows.map((_, i) => `r${i}`));
    const expected: number[] = [];
    for (let at = 0; at < N; at += 50) {
      const rest = await postJson(`${gw.url}/v2/models/fraud/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [50, 30], data: rows.slice(at, at + 50) }] });
      expected.push(...(rest.body as { outputs: { data: number[] }[] }).outputs[0]!.data);
    }
    answers.forEach((a, i) => {
      if (bad(i)) {
        assert.equal(a.error_message, "input 'input': expected shape [-1,30] (-1 = any size), received [1,29]", `answer ${i}`);
        assert.equal(a.infer_response!.parameters!.error_code!.string_param, 'SHAPE_MISMATCH');
        assert.equal(a.infer_response!.parameters!.grpc_status_code!.int64_param, '3');
        return;
      }
      if (unrouted(i)) {
        assert.equal(a.error_message, "no route matches gRPC /v2/models/nope/infer; check the routes' match rules in the gateway config", `answer ${i}`);
        assert.equal(a.infer_response!.model_name, 'nope');
        assert.equal(a.infer_response!.parameters!.grpc_status_code!.int64_param, '5');
        return;
      }
      assert.equal(a.error_message, '', `answer ${i}`);
      assert.equal(a.infer_response!.model_version, '1');
      assert.equal(a.infer_response!.raw_output_contents!.length > 0, i % 2 === 0, `answer ${i} mirrors its request's form`);
      const probs = Array.from(decodeGrpcInferResponse(a.infer_response!).outputs[0]!.data as Float32Array);
      for (let k = 0; k < 2; k++) assert.ok(Math.abs(probs[k]! - expected[2 * i + k]!) < 1e-6, `answer ${i}: ${probs} vs REST ${expected.slice(2 * i, 2 * i + 2)}`);
    });
    const metric = (await gw.gateway.metrics.registry.getSingleMetric('switchyard_gateway_requests_total')!.get()).values;
    const count = (route: string, backend: string, outcome: string) => metric.find((v) => v.labels.route === route && v.labels.backend === backend && v.labels.outcome === outcome)?.value ?? 0;
    // Each routed message counts once (990, the 10 bad shapes too: a 4xx is a success verdict), plus the 20 REST calls.
    assert.equal(count('fraud', 'fraud-v1', 'success'), 1010);
    assert.equal(count('', '', 'rejected'), 10);
  });
});
