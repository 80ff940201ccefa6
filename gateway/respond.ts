import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { toErrorBody } from '../protocol/errors.js';

/**
 * The one place the gateway turns an error into a response: `{"error", "code"}` with the
 * error's status (and Retry-After when it has one). Anything that is not a typed error is a
 * 500 that says nothing internal.
 */
export function sendError(res: ServerResponse, err: unknown): number {
  const { status, body, retryAfterSeconds } = toErrorBody(err);
  if (res.headersSent) {
    // The upstream's status line already went out; all that is left is to cut the stream.
    res.destroy();
    return status;
  }
  const headers: Record<string, string | number> = { 'content-type': 'application/json' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = retryAfterSeconds;
  sendJson(res, status, body, headers);
  return status;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The same rendering on a raw socket, for requests that never got a ServerResponse (upgrades). */
export function sendErrorOnSocket(socket: Duplex, err: unknown, extraHeaders: Record<string, string> = {}): number {
  const { status, body, retryAfterSeconds } = toErrorBody(err);
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
    ...Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}`),
  ];
  if (retryAfterSeconds !== undefined) lines.push(`retry-after: ${retryAfterSeconds}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
  return status;
}
