import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startEchoUpstream, type Echo, type EchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';

describe('gateway as a drop-in reverse proxy', () => {
  let upstream: EchoUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startEchoUpstream('legacy');
    gw = await startTestGateway(`
backends:
  legacy: { endpoints: [${upstream.url}] }
  dead: { endpoints: [http://127.0.0.1:1] }
routes:
  - name: dead
    match: { pathPrefix: /dead }
    backend: dead
  - name: api
    match: { pathPrefix: /api }
    backend: legacy
`, { probe: { probe: () => Promise.resolve(true) } });
  });
  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('passes method, path, query, headers and body through and answers with the upstream response', async () => {
    const res = await fetch(`${gw.url}/api/things/7?x=1&y=2`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain', 'x-custom': 'kept', 'x-request-id': 'req-123', 'x-forwarded-for': '10.9.9.9' },
      body: 'hello body',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), 'req-123');
    assert.equal(res.headers.get('x-upstream'), 'legacy');
    assert.equal(res.headers.get('x-switchyard-route'), 'api');
    assert.equal(res.headers.get('x-switchyard-backend'), 'legacy');
    const echo = (await res.json()) as Echo;
    assert.equal(echo.method, 'PATCH');
    assert.equal(echo.url, '/api/things/7?x=1&y=2');
    assert.equal(echo.body, 'hello body');
    assert.equal(echo.headers['x-custom'], 'kept');
    assert.equal(echo.headers['content-type'], 'text/plain');
    assert.equal(echo.headers['x-request-id'], 'req-123');
    assert.equal(echo.headers['x-forwarded-for'], '10.9.9.9, 127.0.0.1');
    assert.equal(echo.headers['x-forwarded-proto'], 'http');
    assert.equal(echo.headers['x-forwarded-host'], `127.0.0.1:${gw.gateway.httpPort}`);
    assert.equal(echo.headers.host, `127.0.0.1:${gw.gateway.httpPort}`);
  });

  it('drops hop-by-hop headers both ways, including those named in Connection', async () => {
    const echo = await rawRequest(gw.gateway.httpPort, [
      'GET /api/hop HTTP/1.1', `Host: 127.0.0.1`, 'Connection: keep-alive, X-Secret-Hop', 'X-Secret-Hop: 1', 'Keep-Alive: timeout=5',
      'Proxy-Authorization: Basic abc', 'TE: trailers', 'X-End-To-End: yes',
    ]);
    assert.equal(echo.status, 200);
    const body = JSON.parse(echo.body) as Echo;
    for (const name of ['x-secret-hop', 'keep-alive', 'proxy-authorization', 'te']) assert.equal(body.headers[name], undefined, name);
    assert.equal(body.headers['x-end-to-end'], 'yes');
    // The upstream answered with Keep-Alive and X-Hop... but only X-Hop is end to end.
    assert.notEqual(echo.headers['keep-alive'], 'timeout=30');
    assert.equal(echo.headers['x-hop'], 'yes');
  });

  it('generates an x-request-id when the client sends none, and sends the same one upstream', async () => {
    const res = await fetch(`${gw.url}/api/id`);
    const id = res.headers.get('x-request-id');
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(((await res.json()) as Echo).headers['x-request-id'], id);
  });

  it('passes upstream statuses through', async () => {
    for (const status of [201, 404, 418, 500, 503]) {
      const res = await fetch(`${gw.url}/api/status/${status}`);
      assert.equal(res.status, status);
      assert.equal(await res.text(), `status ${status}`);
    }
  });

  it('streams a chunked request body up and a chunked response down', async () => {
    const { status, body, headers } = await new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = httpRequest({ port: gw.gateway.httpPort, host: '127.0.0.1', method: 'POST', path: '/api/up' }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
      });
      req.on('error', reject);
      req.write('part1-');
      setImmediate(() => req.end('part2'));
    });
    assert.equal(status, 200);
    assert.equal((JSON.parse(body) as Echo).body, 'part1-part2');
    assert.equal(headers['content-type'], 'application/json');

    const streamed = await fetch(`${gw.url}/api/stream`);
    assert.equal(streamed.headers.get('content-length'), null);
    assert.equal(await streamed.text(), 'one,two,three');
  });

  it('answers 404 ROUTE_NOT_FOUND when no route matches', async () => {
    const res = await fetch(`${gw.url}/nowhere`, { headers: { 'x-request-id': 'abc' } });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-request-id'), 'abc');
    assert.deepEqual(await res.json(), { error: 'no route matches GET /nowhere; check the routes\' match rules in the gateway config', code: 'ROUTE_NOT_FOUND' });
  });

  it('answers 502 UPSTREAM_UNAVAILABLE when the upstream refuses the connection, and counts it', async () => {
    // The probe is told everything is healthy, so the request really tries to connect.
    const res = await fetch(`${gw.url}/dead/x`);
    assert.equal(res.status, 502);
    assert.deepEqual(await res.json(), { error: "backend 'dead' could not be reached; retry later", code: 'UPSTREAM_UNAVAILABLE' });
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    assert.match(metrics, /switchyard_gateway_upstream_connect_errors_total\{backend="dead"\} [1-9]/);
    assert.match(metrics, /switchyard_gateway_requests_total\{route="dead",backend="dead",variant="",outcome="failure"\} [1-9]/);
    assert.match(metrics, /switchyard_gateway_requests_total\{route="api",backend="legacy",variant="",outcome="success"\} [1-9]/);
  });

  it('proxies a WebSocket upgrade and pipes bytes both ways', async () => {
    const socket = connect(gw.gateway.httpPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write([
      'GET /api/ws HTTP/1.1', 'Host: 127.0.0.1', 'Connection: Upgrade', 'Upgrade: websocket',
      'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '', '',
    ].join('\r\n'));
    let received = '';
    const handshake = await new Promise<string>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (received.includes('\r\n\r\n')) resolve(received);
      });
    });
    assert.match(handshake, /^HTTP\/1\.1 101 /);
    assert.match(handshake, /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
    received = '';
    socket.write('ping-bytes');
    await new Promise<void>((resolve) => socket.on('data', () => received.includes('ping-bytes') && resolve()));
    assert.equal(received, 'ping-bytes');
    socket.destroy();
  });
});

/** One raw HTTP/1.1 request, so the test controls every header byte. */
async function rawRequest(port: number, lines: string[]): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.write(`${lines.join('\r\n')}\r\nConnection-Close-Marker: 1\r\n\r\n`);
  let text = '';
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...headerLines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length']);
      const body = text.slice(end + 4);
      if (Buffer.byteLength(body) < length) return;
      socket.destroy();
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body });
    });
  });
}
