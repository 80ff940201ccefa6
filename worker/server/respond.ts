import type { ServerResponse } from 'node:http';
import { toErrorBody } from '../../protocol/errors.js';
import { closeLingering } from '../../protocol/lingering-close.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The one place the worker's REST side turns an error into `{"error", "code"}`. `close`: the
 * request body was not read (refused as too large), so the connection closes lingeringly and a
 * client still uploading reads the answer.
 */
export function sendError(res: ServerResponse, err: unknown, options: { close?: boolean } = {}): number {
  const { status, body, retryAfterSeconds } = toErrorBody(err);
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  if (options.close) closeLingering(res);
  sendJson(res, status, body, headers);
  return status;
}
