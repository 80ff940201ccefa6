import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as Status, type ClientReadableStream } from '@grpc/grpc-js';
import type { HealthCheckResponseMessage, ModelInferRequestMessage, ModelInferResponseMessage, ModelStreamInferResponseMessage } from '../../../../protocol/grpc/messages.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { failure, healthClient, inferenceClient, openInferStream, slowFraudRepository, startGrpcTestWorker } from './grpc-worker.js';
import { until } from '../../../helpers/process.js';

const [row] = generateTransactions(1, { seed: 5 });
const request = (id: string): ModelInferRequestMessage => ({
  model_name: 'slow',
  id,
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], contents: { fp32_contents: row } }],
});

/** The next message of a stream. */
function next<T>(stream: NodeJS.EventEmitter): Promise<T> {
  return new Promise((resolve, reject) => {
    stream.once('data', resolve);
    stream.once('error', reject);
  });
}

describe('worker gRPC health and drain', () => {
  it('reports SERVING, then on drain NOT_SERVING, refuses new work with UNAVAILABLE, finishes what is in flight and ends streams', async () => {
    // A lone request waits 400 ms for company: long enough to still be in flight while the drain starts.
    const w = await startGrpcTestWorker({ dir: await slowFraudRepository(400_000) });
    const health = healthClient(w.address);
    const client = inferenceClient(w.address);
    try {
      assert.deepEqual(await health.call('Check', { service: '' }), { status: 'SERVING' });
      assert.deepEqual(await health.call('Check', { service: 'inference.GRPCInferenceService' }), { status: 'SERVING' });
      assert.deepEqual(await failure(health.call('Check', { service: 'nope' })), {
        code: Status.NOT_FOUND,
        details: "unknown service 'nope'; this server reports '' and 'inference.GRPCInferenceService'",
        switchyardCode: 'NOT_FOUND',
      });
      const watch = (health.raw as unknown as { Watch(req: object): ClientReadableStream<HealthCheckResponseMessage> }).Watch({ service: '' });
      watch.on('error', () => undefined); // the drain ends the watch; its status is not the point here
      assert.deepEqual(await next(watch), { status: 'SERVING' });

      const stream = openInferStream(client);
      const streamEnded = new Promise<{ code: number; details: string }>((resolve) => stream.once('error', (e: { code: number; details: string }) => resolve(e)));
      const inFlight = client.call<ModelInferResponseMessage>('ModelInfer', request('in-flight'));
      await new Promise<void>((resolve) => {
        const wait = (): void => void (w.grpcServer.inFlightRequests > 0 ? resolve() : setImmediate(wait));
        wait();
      });

      const drained = w.drain();
      assert.deepEqual(await next(watch), { status: 'NOT_SERVING' });
      assert.deepEqual(await client.call('ServerReady', {}), { ready: false });
      assert.deepEqual(await failure(client.call('ModelInfer', request('late'))), {
        code: Status.UNAVAILABLE,
        details: 'the worker is shutting down; send the request to another replica',
        switchyardCode: 'SHUTTING_DOWN',
      });
      stream.write(request('streamed'));
      const refused = await next<ModelStreamInferResponseMessage>(stream);
      assert.equal(refused.error_message, 'the worker is shutting down; send the request to another replica');

      assert.equal((await inFlight).id, 'in-flight', 'the request in flight when the drain began is answered');
      const ended = await streamEnded;
      assert.deepEqual([ended.code, ended.details], [Status.UNAVAILABLE, 'the worker is shutting down; send the request to another replica']);
      await drained;
      await assert.rejects(client.call('ServerLive', {}, { deadline: Date.now() + 1000 }), 'the listener is closed after the drain');
    } finally {
      health.close();
      client.close();
      await w.drain();
    }
  });

  it('cuts a call still open when the drain time limit is reached', async () => {
    // A lone request would wait a minute for company: only the time limit ends it.
    const w = await startGrpcTestWorker({ dir: await slowFraudRepository(60_000_000) });
    const client = inferenceClient(w.address);
    try {
      const held = failure(client.call('ModelInfer', request('held')));
      await until(async () => w.grpcServer.inFlightRequests === 1, 'the call to be in flight');
      await w.grpcServer.drain(50);
      const cut = await held;
      assert.equal(cut.code, Status.CANCELLED, JSON.stringify(cut));
      await assert.rejects(client.call('ServerLive', {}, { deadline: Date.now() + 1000 }), 'the listener is closed after the drain');
    } finally {
      client.close();
      await w.drain();
    }
  });
});
