import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as connectH2, constants } from 'node:http2';
import { connect as connectTcp } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { metric } from '../../../helpers/gateway/fault-upstream.js';
import { descriptorsBackWithin, floodMalformed, openDescriptors } from '../../../../loadtest/faults/malformed-h2.js';
import { spawnCli, type SpawnedCli } from '../../../helpers/process.js';
import { demoRepository } from '../../../helpers/worker.js';
import { inferenceClient, type PromiseClient } from './grpc-worker.js';

/** Descriptors the worker may hold above its baseline once the flood is over (a log flush, a timer's handle). */
const SLACK = 5;
/** The bound: descriptors back to the baseline within 5 s of the last malformed client. */
const RECOVERY_MS = 5_000;
const CLIENTS = 1_000;

describe("the worker's gRPC listener and malformed or vanishing clients", () => {
  let cli: SpawnedCli;
  let pid: number;
  let grpcPort: number;
  let url: string;
  let client: PromiseClient;

  before(async () => {
    cli = spawnCli(['worker', '--models', await demoRepository(['iris']), '--http-port', '0', '--grpc-port', '0', '--host', '127.0.0.1']);
    const listening = await cli.waitForLine((l) => l.event === 'listening');
    pid = cli.child.pid!;
    grpcPort = listening.grpcPort as number;
    url = `http://127.0.0.1:${listening.httpPort as number}`;
    // The test's own channel stays open throughout: it is part of the baseline.
    client = inferenceClient(`127.0.0.1:${grpcPort}`);
    assert.deepEqual(await client.call('ServerLive', {}), { live: true });
  });

  after(async () => {
    client.close();
    cli.child.kill('SIGTERM');
    await cli.exited;
  });

  it('closes 1,000 malformed clients (GOAWAY on bad frames): descriptors back to the baseline within 5 s, and a call still succeeds', async (t) => {
    const baseline = openDescriptors(pid);
    const clients = await floodMalformed(grpcPort, CLIENTS);
    const peak = openDescriptors(pid);
    const recoveredMs = await descriptorsBackWithin(pid, baseline + SLACK, RECOVERY_MS);
    const closes = await Promise.all(clients.map(async (c) => ({ kind: c.kind, ...await c.closed })));
    t.diagnostic(`worker descriptors: baseline ${baseline}, after the flood ${peak}, back to ${openDescriptors(pid)} in ${recoveredMs} ms`);

    // Every client was closed by the server, the ones that kept their side open included.
    assert.equal(closes.length, CLIENTS);
    for (const c of closes.filter((c) => c.kind.startsWith('bad-frame'))) assert.equal(c.goaway, true, `a ${c.kind} client got no GOAWAY`);
    assert.deepEqual(await client.call('ModelReady', { name: 'iris' }), { ready: true });
    // Each malformed client is one session ended for breaking the protocol: bad frames by the
    // watchdog, bad prefaces by Node at once.
    assert.equal(await metric(url, 'switchyard_worker_grpc_session_errors_total', 'reason="protocol_error"'), CLIENTS);
  });

  it('releases a client that hangs up in the middle of a stream', async () => {
    const baseline = openDescriptors(pid);
    const socket = connectTcp(grpcPort, '127.0.0.1');
    const session = connectH2(`http://127.0.0.1:${grpcPort}`, { createConnection: () => socket });
    session.on('error', () => undefined);
    await once(session, 'remoteSettings');
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: '/inference.GRPCInferenceService/ModelStreamInfer',
      'content-type': 'application/grpc', te: 'trailers',
    });
    stream.on('error', () => undefined);
    // A message prefix that promises 1,000 bytes, and 10 of them: the call is open, mid-message.
    const prefix = Buffer.from([0, 0, 0, 0x03, 0xe8]);
    stream.write(Buffer.concat([prefix, Buffer.alloc(10)]));
    // The PING's answer comes after the server has read the frames before it.
    await new Promise<void>((resolve, reject) => session.ping((err) => (err ? reject(err) : resolve())));
    assert.equal(openDescriptors(pid), baseline + 1, 'the worker holds the connection');
    // Hang up without a word: no GOAWAY, no RST_STREAM, just the TCP connection gone.
    socket.destroy();
    await descriptorsBackWithin(pid, baseline, RECOVERY_MS);
    assert.deepEqual(await client.call('ServerLive', {}), { live: true });
  });
});
