import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { H1Pool, type H1PoolOptions } from '../../../../gateway/upstream/h1/pool.js';
import { until } from '../../../helpers/process.js';

interface Received {
  /** The request head as sent, CRLFs kept. */
  readonly head: string;
  readonly body: string;
  readonly connection: number;
}

/**
 * A raw TCP upstream: parses each request (Content-Length or chunked body) and answers with
 * whatever `answer` returns, written as given; null leaves the request unanswered.
 */
function rawUpstream(answer: (req: Received, socket: Socket) => string | null) {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      buffered += text;
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.slice(0, end + 4);
        const length = /content-length: (\d+)/i.exec(head);
        let body: string;
        let rest: string;
        if (length !== null) {
          if (buffered.length < end + 4 + Number(length[1])) return;
          body = buffered.slice(end + 4, end + 4 + Number(length[1]));
          rest = buffered.slice(end + 4 + Number(length[1]));
        } else if (/transfer-encoding: chunked/i.test(head)) {
          const last = buffered.indexOf('0\r\n\r\n', end + 4);
          if (last < 0) return;
          body = buffered.slice(end + 4, last + 5);
          rest = buffered.slice(last + 5);
        } else {
          body = '';
          rest = buffered.slice(end + 4);
        }
        buffered = rest;
        const req = { head, body, connection };
        received.push(req);
        const reply = answer(req, socket);
        if (reply !== null) socket.write(reply, 'latin1');
      }
    });
    socket.on('error', () => undefined);
  });
  return {
    received,
    get connections() {
      return connections;
    },
    async listen(): Promise<URL> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    },
    async close(): Promise<void> {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const OK = (body: string, extra = ''): string => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;

function pool(origin: URL, options: Partial<H1PoolOptions> = {}): H1Pool {
  return new H1Pool(origin, { connections: 8, keepAliveMs: 60_000, connectTimeoutMs: () => 2000, responseTimeoutMs: 5000, ...options });
}

async function text(body: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of body) out += (chunk as Buffer).toString('latin1');
  return out;
}

describe('h1 upstream pool', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function setUp(answer: (req: Received, socket: Socket) => string | null, options: Partial<H1PoolOptions> = {}) {
    const upstream = rawUpstream(answer);
    const origin = await upstream.listen();
    const client = pool(origin, options);
    cleanup.push(() => upstream.close(), () => client.destroy());
    return { upstream, client, origin };
  }

  it('sends the head and body as given, answers in order, and reuses one connection', async () => {
    const { upstream, client, origin } = await setUp((req) => OK(`echo:${req.body}`));
    for (const body of ['first', 'second', 'third']) {
      const res = await client.request({ method: 'POST', path: '/v2/x?y=1', headers: ['X-Custom', 'kept', 'content-length', '999'], body: Buffer.from(body) });
      assert.equal(res.statusCode, 200);
      assert.equal(await text(res.body), `echo:${body}`);
    }
    assert.equal(upstream.connections, 1);
    assert.equal(upstream.received[0]!.head, `POST /v2/x?y=1 HTTP/1.1\r\nX-Custom: kept\r\nhost: ${origin.host}\r\ncontent-length: 5\r\n\r\n`);
  });

  it('sends a stream of unknown length chunked, and streams a chunked answer into a writable', async () => {
    const { upstream, client } = await setUp(() => 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nx-a: 1\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    const upload = new PassThrough();
    let got = '';
    let status = 0;
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { got += chunk.toString(); done(); } });
    const finished = client.stream({ method: 'PUT', path: '/up', headers: ['Host', 'example.test'], body: upload }, (s, headers) => {
      status = s;
      assert.equal(headers['x-a'], '1');
      return sink;
    });
    upload.write('hello ');
    upload.end('world');
    await finished;
    assert.equal(status, 200);
    assert.equal(got, 'abcde');
    assert.equal(upstream.received[0]!.head, 'PUT /up HTTP/1.1\r\nHost: example.test\r\ntransfer-encoding: chunked\r\n\r\n');
    assert.equal(upstream.received[0]!.body, '6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n');
  });

  it('opens no more connections than its limit and serves every waiting request', async () => {
    const held: Socket[] = [];
    const { upstream, client } = await setUp((_req, socket) => {
      held.push(socket);
      return null;
    }, { connections: 2 });
    const answers = Array.from({ length: 5 }, (_, i) => client.request({ method: 'GET', path: `/${i}`, headers: [], body: null }).then((r) => text(r.body)));
    // Answer whatever is waiting, one at a time, until all five are done.
    const pump = setInterval(() => {
      const socket = held.shift();
      socket?.write(OK('x'));
    }, 5);
    assert.deepEqual(await Promise.all(answers), ['x', 'x', 'x', 'x', 'x']);
    clearInterval(pump);
    assert.equal(upstream.connections, 2);
  });

  it('sends an idempotent request again when a reused connection closes before any answer, but not a POST', async () => {
    let dropNext = false;
    const { upstream, client } = await setUp((_req, socket) => {
      if (dropNext) {
        dropNext = false;
        socket.destroy();
        return null;
      }
      return OK('ok');
    });
    assert.equal(await text((await client.request({ method: 'GET', path: '/a', headers: [], body: null })).body), 'ok');
    dropNext = true;
    assert.equal(await text((await client.request({ method: 'GET', path: '/b', headers: [], body: null })).body), 'ok');
    assert.equal(upstream.connections, 2);
    dropNext = true;
    await assert.rejects(client.request({ method: 'POST', path: '/c', headers: [], body: Buffer.from('x') }), { code: 'UPSTREAM_CLOSED', message: 'the upstream closed the connection before answering' });
    assert.equal(upstream.received.filter((r) => r.head.startsWith('POST')).length, 1);
  });

  it('sends a resendable POST again after the keep-alive race, on a new connection rather than another idle one', async () => {
    // Every connection open before `doom` dies under its next request, as when a worker drains.
    const doomed = new Set<Socket>();
    const open: Socket[] = [];
    const held: Socket[] = [];
    let holding = true;
    const { upstream, client } = await setUp((_req, socket) => {
      if (doomed.has(socket)) {
        socket.destroy();
        return null;
      }
      if (!open.includes(socket)) open.push(socket);
      if (holding) {
        held.push(socket);
        return null;
      }
      return OK('ok');
    });
    // Three requests at once: three connections, then three idle ones.
    const first = Array.from({ length: 3 }, (_, i) => client.request({ method: 'GET', path: `/${i}`, headers: [], body: null }).then((r) => text(r.body)));
    await until(async () => held.length === 3, 'three requests to arrive');
    holding = false;
    for (const socket of held) socket.write(OK('ok'));
    assert.deepEqual(await Promise.all(first), ['ok', 'ok', 'ok']);
    for (const socket of open) doomed.add(socket);

    const res = await client.request({ method: 'POST', path: '/infer', headers: [], body: Buffer.from('x'), resendable: true });
    assert.equal(await text(res.body), 'ok');
    assert.equal(upstream.connections, 4, 'the second send opened a new connection');
    assert.equal(upstream.received.filter((r) => r.head.startsWith('POST')).length, 2);
  });

  it('fails a request the upstream leaves unanswered past the response timeout', async () => {
    const { client } = await setUp(() => null, { responseTimeoutMs: 100 });
    await assert.rejects(client.request({ method: 'GET', path: '/slow', headers: [], body: null }), {
      code: 'RESPONSE_TIMEOUT', message: 'the upstream sent nothing for 100 ms while the gateway waited for the head of its answer',
    });
  });

  it('fails with the connect error when nothing listens, and with ABORTED when the signal fires', async () => {
    const { client } = await setUp(() => null);
    const refused = pool(new URL('http://127.0.0.1:1'));
    cleanup.push(() => refused.destroy());
    await assert.rejects(refused.request({ method: 'GET', path: '/', headers: [], body: null }), { code: 'ECONNREFUSED' });
    const signal = new EventEmitter();
    const pending = client.request({ method: 'GET', path: '/never', headers: [], body: null, signal });
    setImmediate(() => signal.emit('abort'));
    await assert.rejects(pending, { code: 'ABORTED' });
    assert.equal(signal.listenerCount('abort'), 0);
  });

  it('closes a connection the upstream asked to close, and respects a short Keep-Alive timeout', async () => {
    let n = 0;
    const { upstream, client } = await setUp(() => (++n === 1 ? OK('a', 'connection: close\r\n') : OK('b', 'keep-alive: timeout=1\r\n')));
    assert.equal(await text((await client.request({ method: 'GET', path: '/', headers: [], body: null })).body), 'a');
    assert.equal(await text((await client.request({ method: 'GET', path: '/', headers: [], body: null })).body), 'b');
    assert.equal(await text((await client.request({ method: 'GET', path: '/', headers: [], body: null })).body), 'b');
    // One connection per answer: closed by the upstream, then kept for 1 s - 1 s = not at all.
    assert.equal(upstream.connections, 3);
  });

  it('refuses a header value with a line break before writing anything', async () => {
    const { upstream, client } = await setUp(() => OK('x'));
    await assert.rejects(client.request({ method: 'GET', path: '/', headers: ['x-evil', 'a\r\nx-injected: 1'], body: null }), {
      code: 'INVALID_UPSTREAM_HEADER', message: "header 'x-evil' holds a line break",
    });
    assert.equal(await text((await client.request({ method: 'GET', path: '/', headers: [], body: null })).body), 'x');
    assert.equal(upstream.received.length, 1);
  });

  it('refuses requests once closed, and lets go of their signal', async () => {
    const { client } = await setUp(() => OK('x'));
    await client.close();
    const signal = new EventEmitter();
    await assert.rejects(client.request({ method: 'GET', path: '/', headers: [], body: null, signal }), { code: 'POOL_CLOSED', message: 'the upstream pool was closed' });
    assert.equal(signal.listenerCount('abort'), 0);
  });

  it('serves a request still waiting for its connection when the pool closes, then opens no more', async () => {
    const { upstream, client } = await setUp(() => OK('served'));
    const waiting = client.request({ method: 'GET', path: '/', headers: [], body: null });
    await client.close();
    assert.equal(await text((await waiting).body), 'served');
    assert.equal(upstream.connections, 1);
  });

  it('does not send a request again when its own response timeout closed a reused connection', async () => {
    let n = 0;
    const { upstream, client } = await setUp(() => (++n === 1 ? OK('first') : null), { responseTimeoutMs: 100 });
    assert.equal(await text((await client.request({ method: 'GET', path: '/a', headers: [], body: null })).body), 'first');
    await assert.rejects(client.request({ method: 'GET', path: '/b', headers: [], body: null }), { code: 'RESPONSE_TIMEOUT' });
    assert.deepEqual(upstream.received.map((r) => r.head.split(' ')[1]), ['/a', '/b']);
  });

  it('does not time out an answer the client holds back, only an upstream that goes silent', async () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    const { client } = await setUp(() => OK(big), { responseTimeoutMs: 100 });
    const res = await client.request({ method: 'GET', path: '/', headers: [], body: null });
    const chunks = res.body[Symbol.asyncIterator]();
    let length = ((await chunks.next()).value as Buffer).length;
    // The upstream has sent everything it can; the client reads nothing for three timeouts.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let chunk = await chunks.next(); !chunk.done; chunk = await chunks.next()) length += (chunk.value as Buffer).length;
    assert.equal(length, big.length);
  });

  it('fails an answer cut off in the middle', async () => {
    const { client } = await setUp((_req, socket) => {
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
      return null;
    });
    const res = await client.request({ method: 'GET', path: '/', headers: [], body: null });
    await assert.rejects(text(res.body), { code: 'UPSTREAM_CLOSED', message: 'the upstream closed the connection in the middle of its answer' });
  });
});
