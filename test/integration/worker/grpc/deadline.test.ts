import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import type { ModelInferRequestMessage } from '../../../../protocol/grpc/messages.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { failure, inferenceClient, slowFraudRepository, startGrpcTestWorker, type GrpcTestWorker, type PromiseClient } from './grpc-worker.js';

const [row] = generateTransactions(1, { seed: 3 });
const request = (extra: Partial<ModelInferRequestMessage> = {}): ModelInferRequestMessage => ({
  model_name: 'slow',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], contents: { fp32_contents: row } }],
  ...extra,
});

describe('worker gRPC deadlines', () => {
  let w: GrpcTestWorker;
  let client: PromiseClient;
  before(async () => {
    // A lone request waits 30 s in the queue for company: it is still queued when any deadline below passes.
    w = await startGrpcTestWorker({ dir: await slowFraudRepository(30_000_000) });
    client = inferenceClient(w.address);
  });
  after(async () => {
    client.close();
    await w.drain();
  });

  /** One sample of the worker's Prometheus text, 0 when absent. */
  const metric = async (sample: string): Promise<number> => {
    const text = await w.metrics.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
    return line === undefined ? 0 : Number(line.slice(sample.length + 1));
  };

  it('drops a request whose deadline passed while it was queued: DEADLINE_EXCEEDED, counted as a timeout, never run', async () => {
    const { code } = await failure(client.call('ModelInfer', request(), { deadline: Date.now() + 200 }));
    assert.equal(code, Status.DEADLINE_EXCEEDED);
    await w.grpcServer.whenIdle();
    assert.equal(await metric('switchyard_worker_requests_total{model="slow",version="1",outcome="timeout"}'), 1);
    assert.equal(await metric('switchyard_worker_queue_depth{model="slow",version="1"}'), 0);
    assert.equal(await metric('switchyard_worker_batch_size_count{model="slow",version="1"}'), 0, 'no batch ran');
  });

  it("maps the request's own queue timeout (parameters.timeout, µs) to DEADLINE_EXCEEDED with REST's message", async () => {
    assert.deepEqual(await failure(client.call('ModelInfer', request({ parameters: { timeout: { int64_param: 50_000 } } }))), {
      code: Status.DEADLINE_EXCEEDED,
      details: "model 'slow': the request waited longer than its timeout of 50 ms and was not run",
      switchyardCode: 'REQUEST_TIMEOUT',
    });
    assert.equal(await metric('switchyard_worker_batch_size_count{model="slow",version="1"}'), 0, 'no batch ran');
  });
});
