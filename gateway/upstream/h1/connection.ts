import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { ResponseHeaders } from '../../pipeline/filter.js';
import { requestHead } from './request-head.js';
import { ResponseParser, type ResponseHead } from './response-parser.js';

/** What an exchange reports to whoever asked for it; the pool settles exactly one of onComplete/onError. */
export interface ExchangeHandler {
  onHead(status: number, headers: ResponseHeaders): void;
  /** false: stop reading the upstream until `resume` is called. */
  onBody(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

/** A request on its way: waiting for a connection, or under way on `connection`. */
export interface Exchange {
  readonly request: H1Request;
  readonly handler: ExchangeHandler;
  /** Sends left after a reused connection failed before any answer (the keep-alive race). */
  replays: number;
  connection: H1Connection | undefined;
  /** Listens on the request's abort signal until the exchange is settled. */
  onAbort: (() => void) | undefined;
}

export interface H1Request {
  readonly method: string;
  /** Path and query string. */
  readonly path: string;
  /** Flat [name, value, ...] in the order to send. */
  readonly headers: readonly string[];
  readonly body: Buffer | Readable | null;
}

/** An error the exchange ended with, with a code the upstream step maps to a gateway error. */
export function codedError(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

const LAST_CHUNK = '0\r\n\r\n';

/**
 * One keep-alive connection to an upstream, carrying one exchange at a time: it writes the
 * request (head and body in one write when the body is at hand) and feeds the answer through
 * the parser to the exchange's handler. The pool decides what happens to it afterwards.
 */
export class H1Connection {
  readonly parser = new ResponseParser();
  /** Requests this connection has carried to completion. */
  served = 0;
  /** Epoch ms after which an idle connection is not reused (the keep-alive timeout). */
  idleUntil = 0;
  /** The exchange under way, if any. */
  exchange: Exchange | undefined = undefined;
  /** The current exchange's deadline (performance.now ms) for the next byte of the answer. */
  deadline = Infinity;
  /** Bytes of the current answer received. */
  received = 0;
  private head: ResponseHead | undefined = undefined;
  private requestSent = false;
  private detachBody: (() => void) | undefined = undefined;

  constructor(
    readonly socket: Socket,
    private readonly host: string,
    /** Called once the exchange completed; reusable says whether the connection can carry another. */
    private readonly onDone: (connection: H1Connection, reusable: boolean, keepAliveHintMs: number | undefined) => void,
  ) {}

  get busy(): boolean {
    return this.exchange !== undefined;
  }

  /** Sends the request; its answer arrives through `data`. Throws before writing if a header is invalid. */
  start(exchange: Exchange, timeoutMs: number, now: number): void {
    const request = exchange.request;
    const body = request.body;
    const { head, chunked } = requestHead(request.method, request.path, request.headers, this.host,
      body === null ? 'none' : body instanceof Uint8Array ? body.byteLength : 'stream');
    this.exchange = exchange;
    exchange.connection = this;
    this.head = undefined;
    this.received = 0;
    this.deadline = now + timeoutMs;
    this.parser.expect(this, request.method === 'HEAD');
    const socket = this.socket;
    if (body === null) {
      socket.write(head, 'latin1');
      this.requestSent = true;
    } else if (body instanceof Uint8Array) {
      socket.cork();
      socket.write(head, 'latin1');
      socket.write(body);
      socket.uncork();
      this.requestSent = true;
    } else {
      this.requestSent = false;
      this.streamBody(head, body, chunked);
    }
  }

  /** Bytes from the upstream. Throws UpstreamProtocolError. */
  data(chunk: Buffer): void {
    this.received += chunk.length;
    this.parser.feed(chunk);
  }

  // ResponseEvents, called by the parser.
  onHead(head: ResponseHead): void {
    this.head = head;
    this.exchange!.handler.onHead(head.status, head.headers);
  }

  onBody(chunk: Buffer): void {
    if (this.exchange !== undefined && !this.exchange.handler.onBody(chunk)) {
      this.socket.pause();
      // Paused for the client: no response deadline until the pool resumes the socket.
      this.deadline = Infinity;
    }
  }

  onComplete(): void {
    const handler = this.exchange!.handler;
    const head = this.head!;
    this.detach();
    this.served++;
    // An answer that came before the request was fully sent leaves the request half-written.
    const reusable = head.keepAlive && this.requestSent;
    this.stopBody();
    this.onDone(this, reusable, head.keepAliveHintMs);
    handler.onComplete();
  }

  /** Ends the exchange with an error (the socket is destroyed by the pool). */
  fail(err: Error): void {
    const handler = this.exchange?.handler;
    this.detach();
    this.stopBody();
    handler?.onError(err);
  }

  /** Forgets the exchange (it completed, failed, or will be sent again elsewhere). */
  detach(): void {
    if (this.exchange !== undefined) this.exchange.connection = undefined;
    this.exchange = undefined;
  }

  private streamBody(head: string, body: Readable, chunked: boolean): void {
    const socket = this.socket;
    // The common case: a small body the client already sent whole goes out with the head in one write.
    const whole = wholeBody(body);
    if (whole !== undefined) {
      socket.cork();
      socket.write(head, 'latin1');
      if (whole.length > 0) {
        if (chunked) socket.write(`${whole.length.toString(16)}\r\n`, 'latin1');
        socket.write(whole);
        if (chunked) socket.write('\r\n', 'latin1');
      }
      if (chunked) socket.write(LAST_CHUNK, 'latin1');
      socket.uncork();
      this.requestSent = true;
      return;
    }
    // The head waits for the first piece of the body, which usually follows in the same read
    // of the client's socket: one write to the upstream instead of two.
    let corked = true;
    const flush = (): void => {
      if (!corked) return;
      corked = false;
      socket.uncork();
    };
    socket.cork();
    socket.write(head, 'latin1');
    const onData = (chunk: Buffer): void => {
      if (chunk.length === 0) return;
      if (chunked) socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      const flowing = socket.write(chunk);
      if (chunked) socket.write('\r\n', 'latin1');
      flush();
      if (!flowing) {
        body.pause();
        socket.once('drain', onDrain);
      }
    };
    const onDrain = (): void => void body.resume();
    const onEnd = (): void => {
      if (chunked) socket.write(LAST_CHUNK, 'latin1');
      flush();
      this.requestSent = true;
      this.stopBody();
    };
    const onBroken = (err?: Error): void => {
      if (this.requestSent) return;
      this.stopBody();
      flush();
      // The client's upload broke off: the upstream got a truncated request and the connection is done.
      this.socket.destroy(codedError(`the client's request body broke off${err === undefined ? '' : `: ${err.message}`}`, 'CLIENT_BODY_ABORTED'));
    };
    const onClose = (): void => onBroken();
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onBroken);
    body.once('close', onClose);
    this.detachBody = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onBroken);
      body.off('close', onClose);
      socket.off('drain', onDrain);
    };
    if (body.isPaused()) body.resume();
  }

  private stopBody(): void {
    this.detachBody?.();
    this.detachBody = undefined;
  }
}

/**
 * The whole body, when it has all arrived and nobody reads it yet (Node's IncomingMessage
 * with `complete` set, not flowing); undefined when more is still to come.
 */
function wholeBody(body: Readable): Buffer | undefined {
  if ((body as { complete?: boolean }).complete !== true || body.readableFlowing === true) return undefined;
  const chunks: Buffer[] = [];
  let chunk: Buffer | null;
  while ((chunk = body.read() as Buffer | null) !== null) chunks.push(chunk);
  // Nothing reads it any more: let it end so the listener sees the request consumed.
  body.resume();
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
