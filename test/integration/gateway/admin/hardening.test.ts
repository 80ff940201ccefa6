import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';

const TOKEN = 'admin-hardening-token';
const config = (upstream: string, limits = ''): string => `${limits}
backends:
  a: { endpoints: [${upstream}] }
routes:
  - name: plain
    match: { pathPrefix: /plain }
    backend: a
`;

/** GET on the admin listener from a chosen loopback source address (127.0.0.0/8 all reach 127.0.0.1). */
function adminGet(port: number, path: string, from: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress: from, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('admin listener: wrong tokens are throttled per address (fake clock)', () => {
  let upstream: EchoUpstream;
  let gw: TestGateway;
  let now = 1_000_000;
  before(async () => {
    upstream = await startEchoUpstream('a');
    gw = await startTestGateway(config(upstream.url), { adminToken: TOKEN, now: () => now });
  });
  after(async () => {
    await gw.stop();
    await upstream.close();
  });
  const port = (): number => gw.gateway.adminPort;
  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

  it('answers 429 with Retry-After from the 10th wrong token in a minute, even to the right token, until the window has passed', async () => {
    for (let i = 0; i < 10; i++) {
      const wrong = await adminGet(port(), '/admin/routes', '127.0.0.1', bearer(`guess-${i}`));
      assert.equal(wrong.status, 401, `guess ${i}`);
      now += 100;
    }
    const throttled = await adminGet(port(), '/admin/routes', '127.0.0.1', bearer(TOKEN));
    assert.equal(throttled.status, 429);
    assert.equal(throttled.retryAfter, '59');
    assert.deepEqual(JSON.parse(throttled.body), { code: 'TOO_MANY_AUTH_FAILURES', error: 'too many wrong admin tokens from this address; try again in 59 s' });
    const signIn = await fetch(`http://127.0.0.1:${port()}/dashboard/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) });
    assert.equal(signIn.status, 429, 'signing in is throttled too');
    assert.equal(signIn.headers.get('set-cookie'), null);

    assert.equal((await adminGet(port(), '/admin/routes', '127.0.0.2', bearer(TOKEN))).status, 200, 'another address is not throttled');
    assert.equal((await adminGet(port(), '/healthz', '127.0.0.1')).status, 200, 'probes need no token and are never throttled');

    now = 1_000_000 + 60_000 - 1;
    const last = await adminGet(port(), '/admin/routes', '127.0.0.1', bearer(TOKEN));
    assert.equal(last.status, 429);
    assert.equal(last.retryAfter, '1');
    now = 1_000_000 + 60_000;
    assert.equal((await adminGet(port(), '/admin/routes', '127.0.0.1', bearer(TOKEN))).status, 200, 'the first wrong token left the window');
  });

  it('counts wrong tokens only: requests without credentials are refused, never throttled', async () => {
    for (let i = 0; i < 15; i++) assert.equal((await adminGet(port(), '/admin/routes', '127.0.0.3')).status, 401);
    assert.equal((await adminGet(port(), '/admin/routes', '127.0.0.3', bearer(TOKEN))).status, 200);
  });
});

describe('admin listener: slow clients', () => {
  let upstream: EchoUpstream;
  let gw: TestGateway;
  before(async () => {
    upstream = await startEchoUpstream('a');
    gw = await startTestGateway(config(upstream.url, 'limits: { clientHeaderTimeout: 300ms, clientBodyTimeout: 600ms }'), { adminToken: TOKEN });
  });
  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  /** Sends `text` and waits for the server to close the connection; returns what it answered. */
  async function slowloris(text: string): Promise<string> {
    const socket = connect(gw.gateway.adminPort, '127.0.0.1');
    socket.write(text);
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return answer;
  }

  // Node's own defaults would hold these connections 60 s and more; the test's limit is well under that.
  it('answers 408 and closes a connection that trickles its headers, as the data listener does', { timeout: 30_000 }, async () => {
    assert.match(await slowloris('GET /admin/routes HTTP/1.1\r\nHost: a\r\nX-Slow: '), /^HTTP\/1\.1 408/);
  });

  it('closes a connection that never finishes its body', { timeout: 30_000 }, async () => {
    const answer = await slowloris(`POST /dashboard/session HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"tok`);
    assert.match(answer, /^HTTP\/1\.1 408/);
  });
});
