import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Longest a refused upload is drained after its answer, ms: nginx's lingering_time. */
export const LINGER_MS = 30_000;
/** Most bytes of a refused upload read and discarded, past which the connection is closed (64 MiB: a 60 MB upload drains whole). */
export const LINGER_MAX_BYTES = 64 * 1024 * 1024;

export interface LingerLimits {
  readonly ms: number;
  readonly maxBytes: number;
}

/** The body size a request declares (Content-Length), or undefined when it declares none. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/**
 * Makes the connection of an answer sent before its request body was read close lingeringly,
 * as nginx does: the rest of the body is read and discarded from now on, the answer goes out
 * with `Connection: close`, then the write side is shut (FIN) and the socket is closed once the
 * body has ended, the client has gone, `limits.maxBytes` were discarded or `limits.ms` passed.
 * Closing at once instead would leave unread bytes in the socket, so the kernel resets the
 * connection and a client still uploading sees a broken pipe, never the answer. Call it before
 * the answer is written.
 */
export function closeLingering(res: ServerResponse, limits: LingerLimits = { ms: LINGER_MS, maxBytes: LINGER_MAX_BYTES }): void {
  res.shouldKeepAlive = false;
  const socket = res.socket;
  if (socket === null) return;
  const req = res.req;
  let discarded = 0;
  // The HTTP parser owns the socket's bytes: reading the request is how they are discarded (and counted).
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limits.maxBytes) socket.destroy();
  });
  req.resume();
  // Node's server ends a `Connection: close` exchange with socket.destroySoon(): the one hook
  // between the answer being flushed and the socket being destroyed.
  socket.destroySoon = () => linger(req, socket, limits.ms);
}

function linger(req: IncomingMessage, socket: Socket, ms: number): void {
  const timer = setTimeout(() => socket.destroy(), ms);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => socket.destroy());
  socket.end();
  if (req.complete) socket.destroy();
  else req.once('end', () => socket.destroy());
}
