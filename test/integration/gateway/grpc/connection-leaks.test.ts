import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect as connectH2, type ClientHttp2Session } from 'node:http2';
import { connect as connectTcp } from 'node:net';
import { credentials } from '@grpc/grpc-js';
import { inferenceService } from '../../../../protocol/grpc/load.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { metric } from '../../../helpers/gateway/fault-upstream.js';
import { startTestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { hasOpenssl, selfSigned } from '../../../helpers/gateway/self-signed.js';
import { badFrameOverTls, descriptorsBackWithin, floodMalformed, openDescriptors } from '../../../../loadtest/faults/malformed-h2.js';
import { spawnCli, until, type SpawnedCli } from '../../../helpers/process.js';
import { startGrpcTestWorker, type GrpcTestWorker } from '../../worker/grpc/grpc-worker.js';
import { GatewayClient } from './grpc-client.js';

const SLACK = 5;
/** The bound: descriptors back to the baseline within 5 s of the last malformed client. */
const RECOVERY_MS = 5_000;
const CLIENTS = 1_000;

function irisConfig(worker: GrpcTestWorker, limits = ''): string {
  return `
listeners:
  http: { host: 127.0.0.1 }
  grpc: { host: 127.0.0.1 }
  admin: { host: 127.0.0.1 }
${limits}
backends:
  iris: { endpoints: [${worker.url}], grpcEndpoints: ['${worker.address}'], model: iris }
routes:
  - { name: iris, match: { pathPrefix: /v2/models/iris }, backend: iris }
`;
}

/** An HTTP/2 connection that finished its handshake with the gateway's gRPC listener. */
async function openSession(port: number): Promise<ClientHttp2Session> {
  const session = connectH2(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  await once(session, 'remoteSettings');
  return session;
}

describe("the gateway's gRPC listener and malformed clients (a gateway process)", () => {
  let worker: GrpcTestWorker;
  let cli: SpawnedCli;
  let pid: number;
  let grpcPort: number;
  let adminUrl: string;
  let client: GatewayClient;

  before(async () => {
    worker = await startGrpcTestWorker(['iris']);
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-grpc-leaks-'));
    await writeFile(join(dir, 'gateway.yaml'), irisConfig(worker));
    cli = spawnCli(['gateway', '-c', join(dir, 'gateway.yaml'), '--http-port', '0', '--admin-port', '0', '--grpc-port', '0'], { SWITCHYARD_ADMIN_TOKEN: '' });
    const listening = await cli.waitForLine((l) => l.event === 'listening');
    pid = cli.child.pid!;
    grpcPort = listening.grpcPort as number;
    adminUrl = `http://127.0.0.1:${listening.adminPort as number}`;
    client = new GatewayClient(`127.0.0.1:${grpcPort}`);
    await client.ok('ModelReady', { name: 'iris' });
  });

  after(async () => {
    client.close();
    cli.child.kill('SIGTERM');
    await cli.exited;
    await worker.drain();
  });

  it('closes 1,000 malformed clients: descriptors back to the baseline within 5 s, counted, and a routed call still succeeds', async (t) => {
    const baseline = openDescriptors(pid);
    const clients = await floodMalformed(grpcPort, CLIENTS);
    const peak = openDescriptors(pid);
    const recoveredMs = await descriptorsBackWithin(pid, baseline + SLACK, RECOVERY_MS);
    const closes = await Promise.all(clients.map(async (c) => ({ kind: c.kind, ...await c.closed })));
    t.diagnostic(`gateway descriptors: baseline ${baseline}, after the flood ${peak}, back to ${openDescriptors(pid)} in ${recoveredMs} ms`);

    for (const c of closes.filter((c) => c.kind.startsWith('bad-frame'))) assert.equal(c.goaway, true, `a ${c.kind} client got no GOAWAY`);
    assert.equal(await metric(adminUrl, 'switchyard_gateway_grpc_session_errors_total', 'reason="protocol_error"'), CLIENTS);
    const ready = await client.ok<{ ready: boolean }>('ModelReady', { name: 'iris' });
    assert.deepEqual(ready.response, { ready: true });
  });
});

describe("the gateway's gRPC connection limit", () => {
  it('closes a connection over limits.maxGrpcConnections at accept, counts it, and takes new ones once one closes', async () => {
    const worker = await startGrpcTestWorker(['iris']);
    const gw = await startTestGateway(irisConfig(worker, 'limits: { maxGrpcConnections: 2 }'));
    const port = gw.gateway.grpcPort;
    const held = [await openSession(port), await openSession(port)];
    try {
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_grpc_connections', ''), 2);
      // The third: accepted by the kernel, closed by the gateway before a byte of HTTP/2.
      const third = connectTcp(port, '127.0.0.1');
      third.on('error', () => undefined);
      let received = 0;
      third.on('data', (chunk: Buffer) => (received += chunk.length));
      await once(third, 'close');
      assert.equal(received, 0);
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_grpc_connections_refused_total', ''), 1);

      held.pop()!.destroy();
      await until(async () => (await metric(gw.adminUrl, 'switchyard_gateway_grpc_connections', '')) === 1, 'the gateway to count the closed connection');
      held.push(await openSession(port));
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_grpc_connections_refused_total', ''), 1);
    } finally {
      for (const s of held) s.destroy();
      await gw.stop();
      await worker.drain();
    }
  });
});

describe("the gateway's TLS gRPC listener and a malformed client", { skip: !hasOpenssl() && 'the openssl CLI is not installed' }, () => {
  it('closes a client that sends a bad frame after the TLS handshake (GOAWAY), counts it, and serves TLS calls after', async () => {
    const cert = selfSigned('grpc-leaks');
    const gw = await startTestGateway(`
listeners:
  grpc: { tls: { cert: ${cert.certPath}, key: ${cert.keyPath} } }
backends:
  web: { endpoints: [http://127.0.0.1:1] }
routes:
  - { name: all, match: { pathPrefix: / }, backend: web }
`, { probe: { probe: async () => true } });
    const Inference = inferenceService();
    const secure = new Inference(`127.0.0.1:${gw.gateway.grpcPort}`, credentials.createSsl(cert.cert));
    try {
      assert.deepEqual(await badFrameOverTls(gw.gateway.grpcPort), { goaway: true });
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_grpc_session_errors_total', 'reason="protocol_error"'), 1);
      const live = await new Promise((resolve, reject) => {
        (secure as unknown as { ServerLive(r: object, cb: (e: Error | null, res: unknown) => void): void }).ServerLive({}, (e, res) => (e ? reject(e) : resolve(res)));
      });
      assert.deepEqual(live, { live: true });
    } finally {
      secure.close();
      await gw.stop();
    }
  });
});
