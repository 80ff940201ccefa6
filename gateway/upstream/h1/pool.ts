import type { EventEmitter } from 'node:events';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Readable, type Writable } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import type { ResponseHeaders } from '../../pipeline/filter.js';
import { codedError, H1Connection, type Exchange, type ExchangeHandler, type H1Request } from './connection.js';

export interface H1PoolOptions {
  /** Connections kept open at most; beyond it requests wait in order. */
  readonly connections: number;
  /** How long an idle connection is kept, ms (the upstream's Keep-Alive hint, less a second, wins if shorter). */
  readonly keepAliveMs: number;
  /** Connect timeout, ms, read at each new connection. */
  readonly connectTimeoutMs: () => number;
  /** Longest wait for the answer's head, and then between two reads of its body, ms. */
  readonly responseTimeoutMs: number;
  /** TLS trust for https origins. */
  readonly tls?: { readonly ca?: string | Buffer; readonly rejectUnauthorized?: boolean };
}

export interface H1CallOptions extends H1Request {
  /** Emits 'abort' to give up on the exchange (the client left, a try timed out). */
  readonly signal?: EventEmitter;
  /** Repeating the request does no harm whatever its method (inference): the keep-alive race replays it too. */
  readonly resendable?: boolean;
}

export interface H1Response {
  readonly statusCode: number;
  readonly headers: ResponseHeaders;
  readonly body: Readable;
}

/** How often connections are checked against their response deadline and keep-alive timeout, ms. */
const SWEEP_MS = 1000;

/** Methods a client may send again after a connection failed (RFC 9110 §9.2.2). */
const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Switchyard's HTTP/1.1 client for one upstream origin: a pool of keep-alive connections, each
 * carrying one request at a time, the most recently used taken first. It does only what the
 * proxy path needs, which makes it about twice as cheap per request as a general client (see
 * docs/BENCHMARKS.md): no pipelining, no redirects, no decompression, no HTTP/2.
 *
 * An idempotent request (RFC 9110 §9.2.2) without a streamed body that fails on a reused
 * connection before any byte of the answer arrived is sent once more on a new connection: the
 * upstream most likely closed the idle connection as the request went out. A POST is not (it
 * may have been processed) unless the caller marks it resendable. An idle connection the
 * upstream has already closed is never written to.
 */
export class H1Pool {
  private readonly idle: H1Connection[] = [];
  private readonly active = new Set<H1Connection>();
  private readonly queue: Exchange[] = [];
  private opening = 0;
  private closing = false;
  private readonly sweeper: NodeJS.Timeout;
  private readonly host: string;
  private readonly port: number;
  private readonly https: boolean;

  constructor(readonly origin: URL, private readonly options: H1PoolOptions) {
    this.https = origin.protocol === 'https:';
    this.host = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
    this.port = Number(origin.port) || (this.https ? 443 : 80);
    this.sweeper = setInterval(() => this.sweep(), Math.min(SWEEP_MS, Math.max(10, options.responseTimeoutMs / 2))).unref();
  }

  /**
   * Sends a request and writes the answer's body into the writable `onHead` returns, following
   * its backpressure. Resolves when the body has been handed to it whole (and end() called);
   * rejects on failure before or during the answer.
   */
  stream(request: H1CallOptions, onHead: (status: number, headers: ResponseHeaders) => Writable): Promise<void> {
    return new Promise((resolve, reject) => {
      let target: Writable | undefined;
      const exchange = this.prepare(request, {
        onHead: (status, headers) => {
          target = onHead(status, headers);
        },
        onBody: (chunk) => {
          if (target!.write(chunk)) return true;
          target!.once('drain', () => this.resume(exchange));
          return false;
        },
        onComplete: () => {
          unlisten(exchange);
          target!.end();
          resolve();
        },
        onError: (err) => {
          unlisten(exchange);
          reject(err);
        },
      });
      this.submit(exchange);
    });
  }

  /** Sends a request; resolves with the answer's head and its body as a stream. */
  request(request: H1CallOptions): Promise<H1Response> {
    return new Promise((resolve, reject) => {
      let body: Readable | undefined;
      let settled = false;
      const exchange = this.prepare(request, {
        onHead: (statusCode, headers) => {
          body = new Readable({
            read: () => this.resume(exchange),
            destroy: (err, callback) => {
              if (!settled) this.abort(exchange, err ?? codedError('the answer was discarded before it ended', 'ABORTED'));
              callback(err);
            },
          });
          resolve({ statusCode, headers, body });
        },
        onBody: (chunk) => body!.push(chunk),
        onComplete: () => {
          unlisten(exchange);
          settled = true;
          body!.push(null);
        },
        onError: (err) => {
          unlisten(exchange);
          settled = true;
          if (body === undefined) reject(err);
          else body.destroy(err);
        },
      });
      this.submit(exchange);
    });
  }

  /**
   * Stops taking requests; idle connections close now, busy ones after their answer. Requests
   * already waiting for a connection are still served, on the connections that free up.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.idle.splice(0)) c.socket.destroy();
    if (this.active.size === 0 && this.queue.length === 0) clearInterval(this.sweeper);
  }

  /** Closes every connection now; requests in flight or waiting fail. */
  async destroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const gone = codedError('the upstream pool was closed', 'POOL_CLOSED');
    for (const w of this.queue.splice(0)) w.handler.onError(gone);
    for (const c of this.idle.splice(0)) c.socket.destroy();
    for (const c of [...this.active]) {
      c.fail(gone);
      c.socket.destroy();
    }
  }

  private prepare(request: H1CallOptions, handler: ExchangeHandler): Exchange {
    const replayable = (IDEMPOTENT.has(request.method) || request.resendable === true) && (request.body === null || request.body instanceof Uint8Array);
    const exchange: Exchange = { request, handler, replays: replayable ? 1 : 0, connection: undefined, onAbort: undefined };
    const signal = request.signal;
    if (signal !== undefined) {
      // A bound function, not an arrow closing over this scope: under load that closure's
      // context made V8 pretenure what it held, and GC took 11 % of the gateway instead of 3 %.
      exchange.onAbort = H1Pool.aborted.bind(undefined, this, exchange);
      signal.on('abort', exchange.onAbort);
    }
    return exchange;
  }

  private submit(exchange: Exchange): void {
    if (this.closing) {
      exchange.handler.onError(codedError('the upstream pool was closed', 'POOL_CLOSED'));
      return;
    }
    this.queue.push(exchange);
    this.drain();
  }

  /** Starts waiting exchanges on idle connections, opening new ones up to the limit. */
  private drain(): void {
    while (this.queue.length > 0) {
      const connection = this.idle.pop();
      if (connection !== undefined) {
        // Past its keep-alive, or the upstream has closed it (its 'close' not handled yet): not written to.
        if (connection.idleUntil <= Date.now() || !connection.socket.writable || connection.socket.readableEnded) {
          connection.socket.destroy();
          continue;
        }
        this.run(connection, this.queue.shift()!);
        continue;
      }
      if (this.active.size + this.opening >= this.options.connections || this.opening >= this.queue.length) return;
      this.open();
    }
  }

  private run(connection: H1Connection, exchange: Exchange): void {
    this.active.add(connection);
    connection.socket.ref();
    try {
      connection.start(exchange, this.options.responseTimeoutMs, performance.now());
    } catch (err) {
      // An invalid header: nothing was written, the connection stays good.
      this.active.delete(connection);
      this.release(connection, true, undefined);
      exchange.handler.onError(err as Error);
    }
  }

  private open(): void {
    this.opening++;
    const timeoutMs = this.options.connectTimeoutMs();
    const socket: Socket = this.https
      ? connectTls({ host: this.host, port: this.port, servername: isIP(this.host) === 0 ? this.host : undefined, ALPNProtocols: ['http/1.1'], ca: this.options.tls?.ca, rejectUnauthorized: this.options.tls?.rejectUnauthorized ?? true })
      : connectTcp({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => socket.destroy(codedError(`connecting to ${this.origin.origin} took longer than ${timeoutMs} ms`, 'CONNECT_TIMEOUT')), timeoutMs);
    let connected = false;
    const connection = new H1Connection(socket, this.origin.host, (c, reusable, hint) => this.finished(c, reusable, hint));
    socket.once(this.https ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      connected = true;
      this.opening--;
      this.release(connection, true, undefined);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!connection.busy) {
        socket.destroy(codedError('the upstream sent bytes on an idle connection', 'UPSTREAM_PROTOCOL_ERROR'));
        return;
      }
      connection.deadline = performance.now() + this.options.responseTimeoutMs;
      try {
        connection.data(chunk);
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      if (!connected) {
        this.opening--;
        this.connectFailed(socket);
        return;
      }
      this.closed(connection);
    });
  }

  /** A connection could not be opened: the first waiting exchange fails with the reason. */
  private connectFailed(socket: Socket): void {
    const err = socketError(socket) ?? codedError(`the connection to ${this.origin.origin} closed while opening`, 'ECONNRESET');
    const exchange = this.queue.shift();
    exchange?.handler.onError(err);
    this.drain();
  }

  /** A connection closed: an exchange it carried either completes (answer read until close) or fails. */
  private closed(connection: H1Connection): void {
    const idleAt = this.idle.indexOf(connection);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    this.active.delete(connection);
    if (connection.busy) {
      const exchange = connection.exchange!;
      if (connection.parser.readsUntilClose && socketError(connection.socket) === undefined) {
        connection.parser.end();
      } else if (connection.received === 0 && connection.served > 0 && exchange.replays > 0 && !this.closing && closedByPeer(connection.socket)) {
        // The keep-alive race: the upstream closed the idle connection as the request went out.
        // It most likely closed its other idle ones too (it restarts or drains): the request
        // goes out again on a new connection, not on one of those.
        connection.detach();
        exchange.replays--;
        for (const c of this.idle.splice(0)) c.socket.destroy();
        this.queue.unshift(exchange);
      } else {
        connection.fail(socketError(connection.socket)
          ?? codedError(connection.received === 0 ? 'the upstream closed the connection before answering' : 'the upstream closed the connection in the middle of its answer', 'UPSTREAM_CLOSED'));
      }
    }
    this.drain();
    if (this.closing && this.active.size === 0 && this.queue.length === 0) clearInterval(this.sweeper);
  }

  /** An exchange completed on `connection`. */
  private finished(connection: H1Connection, reusable: boolean, keepAliveHintMs: number | undefined): void {
    this.active.delete(connection);
    if (!reusable || (this.closing && this.queue.length === 0)) {
      connection.socket.destroy();
      return;
    }
    this.release(connection, false, keepAliveHintMs);
  }

  /** Puts a connection with no exchange back to work: the next waiting exchange, or the idle list. */
  private release(connection: H1Connection, fresh: boolean, keepAliveHintMs: number | undefined): void {
    // A closing pool still serves what waits; destroying instead would reopen for it, forever.
    if (this.closing && this.queue.length === 0) {
      connection.socket.destroy();
      return;
    }
    const keepMs = fresh || keepAliveHintMs === undefined ? this.options.keepAliveMs : Math.min(this.options.keepAliveMs, keepAliveHintMs - 1000);
    connection.idleUntil = Date.now() + keepMs;
    connection.socket.resume();
    const next = this.queue.shift();
    if (next !== undefined) {
      this.run(connection, next);
      return;
    }
    if (keepMs <= 0) {
      connection.socket.destroy();
      return;
    }
    connection.deadline = Infinity;
    connection.socket.unref();
    this.idle.push(connection);
  }

  private resume(exchange: Exchange): void {
    const connection = exchange.connection;
    if (connection === undefined) return;
    // The deadline counts the upstream's silence, not the time the client held the answer back.
    if (connection.socket.isPaused()) connection.deadline = performance.now() + this.options.responseTimeoutMs;
    connection.socket.resume();
  }

  private static aborted(pool: H1Pool, exchange: Exchange): void {
    pool.abort(exchange, codedError('the request to the upstream was aborted', 'ABORTED'));
  }

  /** Gives up on an exchange: still waiting, it leaves the queue; under way, its connection is closed. */
  private abort(exchange: Exchange, err: Error): void {
    const queued = this.queue.indexOf(exchange);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      exchange.handler.onError(err);
      return;
    }
    const connection = exchange.connection;
    if (connection === undefined) return;
    connection.fail(err);
    connection.socket.destroy();
  }

  /** Fails exchanges whose answer stalled past the response timeout; closes idle connections past their keep-alive. */
  private sweep(): void {
    const now = performance.now();
    for (const c of this.active) {
      if (c.busy && c.deadline < now) {
        const waited = c.received === 0 ? 'the head of its answer' : 'the rest of its answer';
        c.socket.destroy(codedError(`the upstream sent nothing for ${this.options.responseTimeoutMs} ms while the gateway waited for ${waited}`, 'RESPONSE_TIMEOUT'));
      }
    }
    const wall = Date.now();
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const c = this.idle[i]!;
      if (c.idleUntil <= wall) {
        this.idle.splice(i, 1);
        c.socket.destroy();
      }
    }
  }
}

/** The exchange is settled: its abort signal has nothing left to cut. */
function unlisten(exchange: Exchange): void {
  if (exchange.onAbort === undefined) return;
  (exchange.request as H1CallOptions).signal!.removeListener('abort', exchange.onAbort);
  exchange.onAbort = undefined;
}

/** The upstream closed or reset the socket (not the gateway's own timeout or a protocol error). */
function closedByPeer(socket: Socket): boolean {
  const code = (socketError(socket) as { code?: unknown } | undefined)?.code;
  return code === undefined || code === 'ECONNRESET' || code === 'EPIPE';
}

function socketError(socket: Socket): Error | undefined {
  return (socket as { errored?: Error | null }).errored ?? undefined;
}
