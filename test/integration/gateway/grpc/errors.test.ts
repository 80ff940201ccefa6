import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import type { ModelInferRequestMessage } from '../../../../protocol/grpc/messages.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { postJson } from '../../../helpers/http.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { slowFraudRepository, startGrpcTestWorker, type GrpcTestWorker } from '../../worker/grpc/grpc-worker.js';
import { GatewayClient } from './grpc-client.js';

const row = generateTransactions(1, { seed: 5 })[0]!;

function request(model: string, data: number[] = row, shape = [1, 30]): ModelInferRequestMessage {
  return { model_name: model, inputs: [{ name: 'input', datatype: 'FP32', shape, contents: { fp32_contents: data } }] };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('gRPC errors through the gateway map to the right status codes', () => {
  let worker: GrpcTestWorker;
  let slow: GrpcTestWorker;
  let gw: TestGateway;
  let client: GatewayClient;

  before(async () => {
    worker = await startGrpcTestWorker(['fraud']);
    // The slow model's batcher waits 2 s for company before running a lone request.
    slow = await startGrpcTestWorker({ dir: await slowFraudRepository(2_000_000) });
    const dead = await closedPort();
    gw = await startTestGateway(`
pools:
  cpu: { models: /unused }
  slow: { models: /unused }
  nogrpc: { models: /unused, endpoints: ['http://localhost:${worker.httpPort}'] }
backends:
  fraud: { pool: cpu, model: fraud }
  slow: { pool: slow, model: slow }
  dead: { endpoints: [http://127.0.0.1:${dead}], grpcEndpoints: [127.0.0.1:${dead}], model: fraud }
  nogrpc: { pool: nogrpc, model: fraud }
  web: { endpoints: [http://127.0.0.1:${dead}] }
routes:
  - { name: fraud, match: { pathPrefix: /v2/models/fraud }, backend: fraud }
  - { name: slow, match: { pathPrefix: /v2/models/slow }, backend: slow }
  - { name: dead, match: { pathPrefix: /v2/models/dead }, backend: dead }
  - { name: nogrpc, match: { pathPrefix: /v2/models/nogrpc }, backend: nogrpc }
  - { name: web, match: { pathPrefix: /v2/models/web }, backend: web }
`, {
      poolEndpoints: { cpu: [worker.url], slow: [slow.url] },
      poolGrpcEndpoints: { cpu: [worker.address], slow: [slow.address] },
      // Every endpoint counts as healthy, so the dead one is tried (and fails to connect).
      probe: { probe: async () => true },
    });
    client = new GatewayClient(`127.0.0.1:${gw.gateway.grpcPort}`);
  });
  after(async () => {
    client.close();
    await gw.stop();
    await Promise.all([worker.drain(), slow.drain()]);
  });

  it('an unknown model: NOT_FOUND ROUTE_NOT_FOUND', async () => {
    const answer = await client.call('ModelInfer', request('nope'));
    assert.equal(answer.error?.code, Status.NOT_FOUND);
    assert.equal(answer.switchyardCode, 'ROUTE_NOT_FOUND');
    assert.equal(answer.error?.details, "no route matches gRPC /v2/models/nope/infer; check the routes' match rules in the gateway config");
  });

  it('a bad shape: INVALID_ARGUMENT SHAPE_MISMATCH with the message REST gives', async () => {
    const answer = await client.call('ModelInfer', request('fraud', row.slice(1), [1, 29]));
    assert.equal(answer.error?.code, Status.INVALID_ARGUMENT);
    assert.equal(answer.switchyardCode, 'SHAPE_MISMATCH');
    const rest = await postJson(`${gw.url}/v2/models/fraud/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 29], data: row.slice(1) }] });
    assert.equal(rest.status, 400);
    assert.equal(answer.error?.details, (rest.body as { error: string }).error);
    assert.equal(answer.error?.details, "input 'input': expected shape [-1,30] (-1 = any size), received [1,29]");
    assert.equal(answer.metadata['x-switchyard-backend'], 'fraud');
  });

  it('a dead upstream: UNAVAILABLE UPSTREAM_UNAVAILABLE, counted as a connect error and a failure', async () => {
    const metric = async (name: string, labels: Record<string, string>): Promise<number> => {
      const values = (await gw.gateway.metrics.registry.getSingleMetric(name)!.get()).values;
      return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
    };
    const answer = await client.call('ModelInfer', request('dead'));
    assert.equal(answer.error?.code, Status.UNAVAILABLE);
    assert.equal(answer.switchyardCode, 'UPSTREAM_UNAVAILABLE');
    assert.equal(answer.error?.details, "backend 'dead' could not be reached; retry later");
    assert.equal(await metric('switchyard_gateway_upstream_connect_errors_total', { backend: 'dead' }), 1);
    assert.equal(await metric('switchyard_gateway_requests_total', { route: 'dead', backend: 'dead', outcome: 'failure' }), 1);
  });

  it('a deadline that passes: DEADLINE_EXCEEDED, and the worker does not run the request', async () => {
    const started = Date.now();
    const answer = await client.call('ModelInfer', request('slow'), {}, { deadline: Date.now() + 200 });
    assert.equal(answer.error?.code, Status.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started < 1_500, 'the client is answered at its deadline, not when the batch would run');
    // The deadline reached the worker: the queued request was dropped, nothing is left in flight.
    await slow.grpcServer.whenIdle();
    assert.equal(slow.grpcServer.inFlightRequests, 0);
  });

  it('a pool whose workers have no gRPC address: UNAVAILABLE NO_GRPC_ENDPOINT', async () => {
    const answer = await client.call('ModelInfer', request('nogrpc'));
    assert.equal(answer.error?.code, Status.UNAVAILABLE);
    assert.equal(answer.switchyardCode, 'NO_GRPC_ENDPOINT');
    assert.match(answer.error!.details, /^backend 'nogrpc' has no worker with a known gRPC address; list them in grpcEndpoints/);
  });

  it('a plain HTTP backend: UNIMPLEMENTED GRPC_PLAIN_BACKEND', async () => {
    const answer = await client.call('ModelInfer', request('web'));
    assert.equal(answer.error?.code, Status.UNIMPLEMENTED);
    assert.equal(answer.switchyardCode, 'GRPC_PLAIN_BACKEND');
  });

  it('a request without model_name: INVALID_ARGUMENT', async () => {
    const answer = await client.call('ModelInfer', { inputs: [] });
    assert.equal(answer.error?.code, Status.INVALID_ARGUMENT);
    assert.equal(answer.error?.details, 'the request names no model: set model_name (field 1)');
  });
});
