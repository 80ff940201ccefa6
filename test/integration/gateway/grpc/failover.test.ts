import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metric, refusingUrl } from '../../../helpers/gateway/fault-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { captureLog } from '../../../helpers/log-capture.js';
import { startGrpcTestWorker, type GrpcTestWorker } from '../../worker/grpc/grpc-worker.js';
import { GatewayClient } from './grpc-client.js';

describe("the gateway's gRPC calls when a worker's port refuses connections", () => {
  let worker: GrpcTestWorker;
  let gw: TestGateway;
  let client: GatewayClient;
  let refusingOrigin: string;
  const captured = captureLog();

  before(async () => {
    worker = await startGrpcTestWorker(['iris']);
    const refusing = await refusingUrl();
    refusingOrigin = new URL(refusing).origin;
    gw = await startTestGateway(`
pools:
  cpu: { models: /unused }
backends:
  iris: { pool: cpu, model: iris, version: "1" }
routes:
  - { name: iris, match: { pathPrefix: /v2/models/iris }, backend: iris }
`, {
      // The refusing endpoint listed first, both taken as up (as between two probes of a worker that just left).
      poolEndpoints: { cpu: [refusing, worker.url] }, poolGrpcEndpoints: { cpu: [new URL(refusing).host, worker.address] },
      probe: { probe: () => Promise.resolve(true), intervalMs: 3_600_000 }, log: captured.log,
    });
    client = new GatewayClient(`127.0.0.1:${gw.gateway.grpcPort}`);
  });
  after(async () => {
    client.close();
    await gw.stop();
    await worker.drain();
  });

  it('serves every call from the other worker and takes the refusing endpoint out of rotation at once', async () => {
    for (let i = 0; i < 10; i++) {
      const { response } = await client.ok<{ ready: boolean }>('ModelReady', { name: 'iris', version: '1' });
      assert.equal(response.ready, true);
    }
    // Refused once, then never chosen again, though no probe ran in between.
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_upstream_connect_errors_total', 'backend="iris"'), 1);
    assert.deepEqual(captured.events('endpoint_health'), [
      { event: 'endpoint_health', endpoint: refusingOrigin, backends: ['iris'], from: 'up', to: 'down', reason: 'connect ECONNREFUSED', msg: 'endpoint down: connect ECONNREFUSED' },
    ]);
  });
});
