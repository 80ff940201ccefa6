import type { ResponseHeaders } from '../../pipeline/filter.js';

/** Longest response head accepted (status line and headers), bytes: undici's and Node's default. */
const MAX_HEAD_BYTES = 16 * 1024;
/** Longest chunk-size line (with extensions) or trailer line, bytes. */
const MAX_LINE_BYTES = 4096;

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const EMPTY = Buffer.alloc(0);
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\r\n]*)?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DIGITS = /^\d{1,15}$/;
const HEX = /^[0-9A-Fa-f]{1,12}$/;

/** An answer the gateway cannot frame safely: the connection is closed, the request fails. */
export class UpstreamProtocolError extends Error {
  readonly code = 'UPSTREAM_PROTOCOL_ERROR';
}

/** What the head of a response says, as the pool needs it. */
export interface ResponseHead {
  readonly status: number;
  /** Lower-case names; a repeated header is an array in arrival order. */
  readonly headers: ResponseHeaders;
  /** The connection may carry another request after this answer. */
  readonly keepAlive: boolean;
  /** The upstream's `Keep-Alive: timeout=N`, ms; undefined when it sent none. */
  readonly keepAliveHintMs: number | undefined;
}

export interface ResponseEvents {
  onHead(head: ResponseHead): void;
  /** A piece of the body, decoded from chunked framing; valid only until the call returns unless copied or kept whole. */
  onBody(chunk: Buffer): void;
  onComplete(): void;
}

const enum State { Head, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose, Done }

/**
 * An incremental HTTP/1.1 response parser for one exchange at a time: the head, then the body
 * framed by Content-Length, chunked transfer coding, or the end of the connection. Strict
 * where framing is at stake (a smuggled or ambiguous length is an error, never a guess), and
 * lenient about what does not change framing (reason phrases, unknown headers).
 */
export class ResponseParser {
  private state = State.Done;
  private pending: Buffer | undefined = undefined;
  private remaining = 0;
  private noBody = false;
  private events: ResponseEvents | undefined = undefined;
  /** Counts exchanges, so bytes left over from a finished answer are never read as the next one's. */
  private generation = 0;

  /** Starts a new exchange; `noBody` for a HEAD request, whose answer carries no body whatever it says. */
  expect(events: ResponseEvents, noBody: boolean): void {
    this.events = events;
    this.noBody = noBody;
    this.generation++;
    this.state = State.Head;
    this.pending = undefined;
  }

  /** Whether the current answer ends with the connection (no length was given). */
  get readsUntilClose(): boolean {
    return this.state === State.UntilClose;
  }

  /** Bytes from the socket. Throws UpstreamProtocolError; bytes after a complete answer are an error too. */
  feed(chunk: Buffer): void {
    let data = chunk;
    const generation = this.generation;
    while (data.length > 0) {
      if (this.generation !== generation) throw new UpstreamProtocolError('the upstream sent bytes after its answer was complete');
      switch (this.state) {
        case State.Head: data = this.head(data); break;
        case State.Length: data = this.length(data); break;
        case State.ChunkSize: data = this.chunkSize(data); break;
        case State.ChunkData: data = this.chunkData(data); break;
        case State.ChunkEnd: data = this.chunkEnd(data); break;
        case State.Trailers: data = this.trailers(data); break;
        case State.UntilClose: this.events!.onBody(data); return;
        case State.Done: throw new UpstreamProtocolError('the upstream sent bytes after its answer was complete');
      }
    }
  }

  /** The connection ended: completes an answer read until close, otherwise says the answer was cut. */
  end(): boolean {
    if (this.state !== State.UntilClose) return this.state === State.Done;
    this.finish();
    return true;
  }

  private finish(): void {
    this.state = State.Done;
    this.pending = undefined;
    this.events!.onComplete();
  }

  /** Gathers bytes until `\r\n\r\n` (or a line end), keeping what came before across chunks. */
  private gather(data: Buffer, terminator: Buffer, limit: number, what: string): { line: Buffer; rest: Buffer } | undefined {
    const buffered = this.pending === undefined ? data : Buffer.concat([this.pending, data]);
    const at = buffered.indexOf(terminator);
    if (at < 0) {
      if (buffered.length > limit) throw new UpstreamProtocolError(`the upstream's ${what} is longer than ${limit} bytes`);
      this.pending = buffered;
      return undefined;
    }
    if (at > limit) throw new UpstreamProtocolError(`the upstream's ${what} is longer than ${limit} bytes`);
    this.pending = undefined;
    return { line: buffered.subarray(0, at), rest: buffered.subarray(at + terminator.length) };
  }

  private head(data: Buffer): Buffer {
    const got = this.gather(data, CRLF_CRLF, MAX_HEAD_BYTES, 'response head');
    if (got === undefined) return EMPTY;
    const head = parseHead(got.line.toString('latin1'), this.noBody);
    // 1xx answers (100 Continue, 103 Early Hints) come before the real one and are dropped.
    if (head.status < 200) {
      if (head.status === 101) throw new UpstreamProtocolError('the upstream switched protocols on a request that did not ask to');
      return got.rest;
    }
    this.events!.onHead(head);
    if (head.framing === 'none' || (head.framing === 'length' && head.length === 0)) this.finish();
    else if (head.framing === 'length') {
      this.state = State.Length;
      this.remaining = head.length;
    } else this.state = head.framing === 'chunked' ? State.ChunkSize : State.UntilClose;
    return got.rest;
  }

  private length(data: Buffer): Buffer {
    if (data.length <= this.remaining) {
      this.remaining -= data.length;
      this.events!.onBody(data);
      if (this.remaining === 0) this.finish();
      return EMPTY;
    }
    const body = data.subarray(0, this.remaining);
    const rest = data.subarray(this.remaining);
    this.remaining = 0;
    this.events!.onBody(body);
    this.finish();
    return rest;
  }

  private chunkSize(data: Buffer): Buffer {
    const got = this.gather(data, CRLF, MAX_LINE_BYTES, 'chunk size line');
    if (got === undefined) return EMPTY;
    const text = got.line.toString('latin1');
    const semicolon = text.indexOf(';');
    const size = (semicolon < 0 ? text : text.slice(0, semicolon)).trim();
    if (!HEX.test(size)) throw new UpstreamProtocolError(`the upstream sent an invalid chunk size '${size.slice(0, 40)}'`);
    this.remaining = parseInt(size, 16);
    this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
    return got.rest;
  }

  private chunkData(data: Buffer): Buffer {
    const take = Math.min(this.remaining, data.length);
    this.remaining -= take;
    this.events!.onBody(take === data.length ? data : data.subarray(0, take));
    if (this.remaining === 0) {
      this.state = State.ChunkEnd;
      this.remaining = 2;
    }
    return data.subarray(take);
  }

  /** The CRLF after a chunk's data, possibly split across reads. */
  private chunkEnd(data: Buffer): Buffer {
    let i = 0;
    while (this.remaining > 0 && i < data.length) {
      const expected = this.remaining === 2 ? 0x0d : 0x0a;
      if (data[i] !== expected) throw new UpstreamProtocolError('the upstream sent a chunk longer than its size');
      this.remaining--;
      i++;
    }
    if (this.remaining === 0) this.state = State.ChunkSize;
    return data.subarray(i);
  }

  /** Trailer fields after the last chunk are read and dropped; an empty line ends the answer. */
  private trailers(data: Buffer): Buffer {
    const got = this.gather(data, CRLF, MAX_LINE_BYTES, 'trailer line');
    if (got === undefined) return EMPTY;
    if (got.line.length === 0) this.finish();
    return got.rest;
  }
}


interface ParsedHead extends ResponseHead {
  readonly framing: 'none' | 'length' | 'chunked' | 'close';
  readonly length: number;
}

/** Status line and header fields of one answer (the text before the blank line). */
export function parseHead(text: string, noBody: boolean): ParsedHead {
  const lines = text.split('\r\n');
  const statusLine = STATUS_LINE.exec(lines[0]!);
  if (statusLine === null) throw new UpstreamProtocolError(`the upstream sent an invalid status line '${lines[0]!.slice(0, 60)}'`);
  const minor = statusLine[1]!;
  const status = Number(statusLine[2]);
  const headers: ResponseHeaders = {};
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let connection = '';
  let keepAliveHeader = '';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    // obs-fold (a line starting with whitespace), names with spaces and bare line breaks are how responses get smuggled.
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon)) || line.includes('\n') || line.includes('\r')) throw new UpstreamProtocolError(`the upstream sent an invalid header line '${line.slice(0, 60)}'`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else headers[name] = [previous, value];
    if (name === 'content-length') {
      if (contentLength !== undefined && contentLength !== value) throw new UpstreamProtocolError('the upstream sent two different Content-Length values');
      contentLength = value;
    } else if (name === 'transfer-encoding') transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
    else if (name === 'connection') connection += `,${value.toLowerCase()}`;
    else if (name === 'keep-alive') keepAliveHeader = value;
  }
  const tokens = connection.split(',').map((t) => t.trim());
  let framing: ParsedHead['framing'];
  let length = 0;
  if (noBody || status === 204 || status === 304 || status < 200) framing = 'none';
  else if (transferEncoding !== undefined) {
    // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3); anything but a final chunked reads to the close.
    const codings = transferEncoding.toLowerCase().split(',').map((t) => t.trim());
    framing = codings[codings.length - 1] === 'chunked' ? 'chunked' : 'close';
  } else if (contentLength !== undefined) {
    if (!DIGITS.test(contentLength)) throw new UpstreamProtocolError(`the upstream sent an invalid Content-Length '${contentLength.slice(0, 40)}'`);
    framing = 'length';
    length = Number(contentLength);
  } else framing = 'close';
  const persistent = minor === '1' ? !tokens.includes('close') : tokens.includes('keep-alive');
  return {
    status,
    headers,
    keepAlive: persistent && framing !== 'close' && !(transferEncoding !== undefined && contentLength !== undefined),
    keepAliveHintMs: keepAliveHint(keepAliveHeader),
    framing,
    length,
  };
}

function keepAliveHint(value: string): number | undefined {
  const match = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(value);
  return match === null ? undefined : Number(match[1]) * 1000;
}
