import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as Status, type ClientReadableStream } from '@grpc/grpc-js';
import type { HealthCheckResponseMessage, ModelInferRequestMessage, ModelInferResponseMessage } from '../../../../protocol/grpc/messages.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { startTestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { slowFraudRepository, startGrpcTestWorker } from '../../worker/grpc/grpc-worker.js';
import { GatewayClient } from './grpc-client.js';

const [row] = generateTransactions(1, { seed: 5 });
const request = (id: string): ModelInferRequestMessage => ({ model_name: 'slow', id, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], contents: { fp32_contents: row } }] });

const CONFIG = `
pools:
  cpu: { models: /unused }
backends:
  slow: { pool: cpu, model: slow }
routes:
  - { name: slow, match: { pathPrefix: /v2/models/slow }, backend: slow }
`;

function next<T>(stream: NodeJS.EventEmitter): Promise<T> {
  return new Promise((resolve, reject) => {
    stream.once('data', resolve);
    stream.once('error', reject);
  });
}

describe('grpc.health.v1 on the gateway, and its drain', () => {
  it('reports SERVING while ready, NOT_SERVING on drain; a call in flight finishes, later ones are refused', async () => {
    // A lone request waits 400 ms for company: still in flight when the drain starts.
    const worker = await startGrpcTestWorker({ dir: await slowFraudRepository(400_000) });
    const gw = await startTestGateway(CONFIG, { poolEndpoints: { cpu: [worker.url] }, poolGrpcEndpoints: { cpu: [worker.address] } });
    const client = new GatewayClient(`127.0.0.1:${gw.gateway.grpcPort}`);
    try {
      assert.deepEqual((await client.call('Check', { service: '' }, {}, {}, client.health)).response, { status: 'SERVING' });
      assert.deepEqual((await client.call('Check', { service: 'inference.GRPCInferenceService' }, {}, {}, client.health)).response, { status: 'SERVING' });
      const unknown = await client.call('Check', { service: 'nope' }, {}, {}, client.health);
      assert.equal(unknown.error?.code, Status.NOT_FOUND);
      const watch = (client.health as unknown as { Watch(req: object): ClientReadableStream<HealthCheckResponseMessage> }).Watch({ service: '' });
      watch.on('error', () => undefined);
      assert.deepEqual(await next(watch), { status: 'SERVING' });

      const inFlight = client.call<ModelInferResponseMessage>('ModelInfer', request('in-flight'));
      await new Promise<void>((resolve) => {
        const wait = (): void => void (worker.grpcServer.inFlightRequests > 0 ? resolve() : setImmediate(wait));
        wait();
      });
      const drained = gw.gateway.drain();
      assert.deepEqual(await next(watch), { status: 'NOT_SERVING' });
      const refused = await client.call('ModelInfer', request('late'));
      assert.equal(refused.error?.code, Status.UNAVAILABLE);
      const done = await inFlight;
      assert.equal(done.error, undefined);
      assert.equal(done.response?.id, 'in-flight');
      await drained;
    } finally {
      client.close();
      await gw.stop();
      await worker.drain();
    }
  });

  it('stays SERVING while its only backend has no healthy endpoint (calls get UNAVAILABLE), like /readyz', async () => {
    const gw = await startTestGateway(CONFIG, { poolEndpoints: { cpu: ['http://127.0.0.1:1'] }, poolGrpcEndpoints: { cpu: ['127.0.0.1:1'] }, probe: { probe: async () => false } });
    const client = new GatewayClient(`127.0.0.1:${gw.gateway.grpcPort}`);
    try {
      assert.deepEqual((await client.call('Check', { service: '' }, {}, {}, client.health)).response, { status: 'SERVING' });
      assert.deepEqual((await client.ok('ServerReady', {})).response, { ready: true });
      const answer = await client.call('ModelInfer', request('x'));
      assert.equal(answer.error?.code, Status.UNAVAILABLE);
      assert.equal(answer.switchyardCode, 'NO_HEALTHY_ENDPOINT');
    } finally {
      client.close();
      await gw.stop();
    }
  });

  it('reports NOT_SERVING when no route can serve and readiness.requireServableRoute is set, like /readyz', async () => {
    const gw = await startTestGateway(`readiness: { requireServableRoute: true }\n${CONFIG}`, {
      poolEndpoints: { cpu: ['http://127.0.0.1:1'] }, poolGrpcEndpoints: { cpu: ['127.0.0.1:1'] }, probe: { probe: async () => false },
    });
    const client = new GatewayClient(`127.0.0.1:${gw.gateway.grpcPort}`);
    try {
      assert.deepEqual((await client.call('Check', { service: '' }, {}, {}, client.health)).response, { status: 'NOT_SERVING' });
      assert.deepEqual((await client.ok('ServerReady', {})).response, { ready: false });
      assert.deepEqual((await client.ok('ServerLive', {})).response, { live: true });
    } finally {
      client.close();
      await gw.stop();
    }
  });
});
