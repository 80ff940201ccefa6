import assert from 'node:assert/strict';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { until } from '../../helpers/process.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';

/** An upstream that misbehaves on purpose: cuts answers short, or holds them until released. */
interface FaultyUpstream {
  url: string;
  uploadArrived: Promise<void>;
  /** Resolves when a request to /hold was cancelled by the gateway (its connection closed). */
  holdCancelled: Promise<void>;
  holdArrived: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

function startFaultyUpstream(): Promise<FaultyUpstream> {
  let arrivedResolve: () => void = () => undefined;
  const uploadArrived = new Promise<void>((r) => (arrivedResolve = r));
  let holdArrivedResolve: () => void = () => undefined;
  const holdArrived = new Promise<void>((r) => (holdArrivedResolve = r));
  let holdCancelledResolve: () => void = () => undefined;
  const holdCancelled = new Promise<void>((r) => (holdCancelledResolve = r));
  const held: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === '/cut/x') {
      // Promises 1000 bytes, sends 10, then drops the connection.
      res.writeHead(200, { 'content-length': '1000' });
      res.write('0123456789', () => res.socket?.destroy());
      return;
    }
    if (req.url === '/hold/x') {
      // Never answers; notices when the gateway gives the request up.
      res.once('close', () => holdCancelledResolve());
      holdArrivedResolve();
      return;
    }
    if (req.url === '/slow/x') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk\n');
      held.push(res);
      return;
    }
    arrivedResolve();
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      uploadArrived,
      holdArrived,
      holdCancelled,
      release: () => held.forEach((r) => r.end('done\n')),
      close: () => new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
    }));
  });
}

async function outcome(gw: TestGateway, route: string, verdict: string): Promise<number> {
  const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  const m = new RegExp(`^switchyard_gateway_requests_total\\{route="${route}",backend="up",variant="",outcome="${verdict}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('the verdict of answers that do not complete', () => {
  let upstream: Awaited<ReturnType<typeof startFaultyUpstream>>;
  let gw: TestGateway;
  before(async () => {
    upstream = await startFaultyUpstream();
    gw = await startTestGateway(`backends: { up: { endpoints: [${upstream.url}] } }
routes:
  - { name: cut, match: { pathPrefix: /cut }, backend: up }
  - { name: slow, match: { pathPrefix: /slow }, backend: up }
  - { name: upload, match: { pathPrefix: /upload }, backend: up }
  - { name: hold, match: { pathPrefix: /hold }, backend: up }
`);
  });
  after(async () => {
    upstream.release();
    await gw.stop();
    await upstream.close();
  });

  it('counts an answer the upstream broke off as a failure of the backend', async () => {
    const res = await fetch(`${gw.url}/cut/x`);
    assert.equal(res.status, 200);
    await assert.rejects(res.text(), 'the client sees the answer cut short');
    await until(async () => (await outcome(gw, 'cut', 'failure')) === 1, 'the failure to be counted');
    assert.equal(await outcome(gw, 'cut', 'success'), 0);
    assert.equal(await outcome(gw, 'cut', 'cancelled'), 0);
  });

  it('counts a client that leaves mid-answer as cancelled, not against the backend', async () => {
    const client = new AbortController();
    const res = await fetch(`${gw.url}/slow/x`, { signal: client.signal });
    const reader = res.body!.getReader();
    await reader.read();
    client.abort();
    await until(async () => (await outcome(gw, 'slow', 'cancelled')) === 1, 'the cancellation to be counted');
    assert.equal(await outcome(gw, 'slow', 'failure'), 0);
    assert.equal(await outcome(gw, 'slow', 'rejected'), 0);
  });

  it('cancels the upstream request when the client leaves before the answer', { timeout: 10_000 }, async () => {
    const client = new AbortController();
    const pending = fetch(`${gw.url}/hold/x`, { signal: client.signal }).catch(() => 'aborted');
    await upstream.holdArrived;
    client.abort();
    assert.equal(await pending, 'aborted');
    await upstream.holdCancelled;
    await until(async () => (await outcome(gw, 'hold', 'cancelled')) === 1, 'the cancellation to be counted');
  });

  it('counts an upload the client cut off as cancelled', async () => {
    const req = request(`${gw.url}/upload/x`, { method: 'POST', headers: { 'content-length': '1000' } });
    req.on('error', () => undefined);
    req.write('0123456789');
    await upstream.uploadArrived;
    req.destroy();
    await until(async () => (await outcome(gw, 'upload', 'cancelled')) === 1, 'the cancellation to be counted');
    assert.equal(await outcome(gw, 'upload', 'failure'), 0);
  });
});
