/**
 * Malformed HTTP/2 clients and the server's open descriptors: the flood that
 * test/integration/{gateway,worker}/grpc/connection-leaks.test.ts assert on and
 * `npm run bench:faults` measures. Loopback only.
 */
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The HTTP/2 client connection preface. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** A SETTINGS frame 5 bytes long (not a multiple of 6): a FRAME_SIZE_ERROR, which ends the connection. */
const BAD_SETTINGS = Buffer.from([0, 0, 5, 0x4, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5]);
const GOAWAY_FRAME_TYPE = 0x7;

/**
 * The malformed clients of the flood, in turn:
 * - `bad-frame-hangup`: preface + a bad SETTINGS frame, then FIN (the CLOSE-WAIT case);
 * - `bad-frame-stay`: the same without hanging up: the server must close it;
 * - `garbage`: bytes that are no HTTP/2 preface;
 * - `http1`: an HTTP/1.1 request to the h2c port.
 */
export const MALFORMED_KINDS = ['bad-frame-hangup', 'bad-frame-stay', 'garbage', 'http1'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export interface MalformedClient {
  readonly kind: MalformedKind;
  /** Resolves once the connection is closed, with whether a GOAWAY frame came before. */
  readonly closed: Promise<{ goaway: boolean }>;
  /** Closes the client's side at once (for a server that never closes it). */
  destroy(): void;
}

function payload(kind: MalformedKind): Buffer {
  switch (kind) {
    case 'bad-frame-hangup':
    case 'bad-frame-stay':
      return Buffer.concat([PREFACE, BAD_SETTINGS]);
    case 'garbage':
      return Buffer.from('\x16\x03\x01 these bytes are no HTTP/2 connection preface\r\n\r\n');
    case 'http1':
      return Buffer.from('POST /inference.GRPCInferenceService/ServerLive HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n');
  }
}

/** Whether `bytes` (server frames, from the start) hold a GOAWAY frame. */
export function holdsGoaway(bytes: Buffer): boolean {
  let at = 0;
  while (at + 9 <= bytes.length) {
    const length = bytes.readUIntBE(at, 3);
    if (bytes[at + 3] === GOAWAY_FRAME_TYPE) return true;
    at += 9 + length;
  }
  return false;
}

/** Opens one malformed client on loopback; resolves once its bytes are written. */
export function openMalformed(port: number, kind: MalformedKind): Promise<MalformedClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // A reset from the server (it closed with unread bytes) is a close, as the flood means it.
    socket.on('error', () => undefined);
    const closed = new Promise<{ goaway: boolean }>((done) => socket.once('close', () => done({ goaway: holdsGoaway(Buffer.concat(received)) })));
    socket.once('connect', () => {
      socket.write(payload(kind));
      if (kind !== 'bad-frame-stay') socket.end();
      resolve({ kind, closed, destroy: () => socket.destroy() });
    });
    socket.once('error', reject);
  });
}

/**
 * A TLS client (ALPN h2) that completes the handshake, sends the preface and a bad SETTINGS
 * frame and keeps its side open; resolves once the server has closed the connection.
 */
export function badFrameOverTls(port: number): Promise<{ goaway: boolean }> {
  return new Promise((resolve) => {
    const socket = connectTls({ port, host: '127.0.0.1', ALPNProtocols: ['h2'], rejectUnauthorized: false }, () => {
      socket.write(Buffer.concat([PREFACE, BAD_SETTINGS]));
    });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve({ goaway: holdsGoaway(Buffer.concat(received)) }));
  });
}

/** Opens `count` malformed clients, `parallel` at a time, kinds in turn (MALFORMED_KINDS). */
export async function floodMalformed(port: number, count: number, parallel = 50): Promise<MalformedClient[]> {
  const clients: MalformedClient[] = [];
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, (_, i) => openMalformed(port, MALFORMED_KINDS[(start + i) % MALFORMED_KINDS.length]!));
    clients.push(...await Promise.all(batch));
  }
  return clients;
}

/** Descriptors the process holds now (Linux: /proc/PID/fd). */
export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export interface DescriptorWatch {
  /** ms from the start of the watch until the count was at most the ceiling; undefined if it never was. */
  readonly backMs: number | undefined;
  /** The highest count seen. */
  readonly peak: number;
  /** The count at the last look. */
  readonly last: number;
}

/**
 * Reads the process's descriptor count every `everyMs` until it is at most `ceiling` or
 * `withinMs` have passed.
 */
export async function watchDescriptors(pid: number, ceiling: number, withinMs: number, everyMs = 50): Promise<DescriptorWatch> {
  const started = performance.now();
  let last = openDescriptors(pid);
  let peak = last;
  while (last > ceiling) {
    if (performance.now() - started > withinMs) return { backMs: undefined, peak, last };
    await sleep(everyMs);
    last = openDescriptors(pid);
    peak = Math.max(peak, last);
  }
  return { backMs: Math.round(performance.now() - started), peak, last };
}

/**
 * The tests' form of watchDescriptors: resolves with the ms until the count was at most
 * `ceiling`, fails past `withinMs`. The one wall-clock bound of those tests is the issue's own
 * (descriptors back within 5 s of the flood).
 */
export async function descriptorsBackWithin(pid: number, ceiling: number, withinMs: number): Promise<number> {
  const watch = await watchDescriptors(pid, ceiling, withinMs);
  if (watch.backMs === undefined) throw new Error(`${watch.last} descriptors open ${withinMs} ms after the flood; expected at most ${ceiling}`);
  return watch.backMs;
}
