import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { finished, type Readable } from 'node:stream';
import type { RequestContext } from '../pipeline/context.js';
import { WRITTEN, type ResponseHeaders, type UpstreamResult } from '../pipeline/filter.js';
import { downstreamResponseHeaders } from '../upstream/headers.js';

/** Response headers naming where a request went; route and backend always, version and variant when set. */
export const ROUTE_HEADER = 'x-switchyard-route';
export const BACKEND_HEADER = 'x-switchyard-backend';
export const VERSION_HEADER = 'x-switchyard-version';
export const VARIANT_HEADER = 'x-switchyard-variant';

/** Writes a chain's result: the upstream's status and end-to-end headers, then the body, streamed. */
export async function writeResult(res: ServerResponse, ctx: RequestContext, result: UpstreamResult): Promise<void> {
  const body = result.body;
  if (body === WRITTEN) return;
  writeHead(res, ctx, result.status, result.headers);
  if (body === null) res.end();
  else if (body instanceof Uint8Array) res.end(body);
  else await pipeBody(body, res);
}

/** The status line and headers of an answer: the upstream's end-to-end headers plus where it went. */
export function writeHead(res: ServerResponse, ctx: RequestContext, status: number, upstreamHeaders: ResponseHeaders): void {
  const headers = downstreamResponseHeaders(upstreamHeaders) as OutgoingHttpHeaders;
  headers['x-request-id'] = ctx.requestId;
  headers[ROUTE_HEADER] = ctx.route.name;
  const assignment = ctx.assignment;
  if (assignment !== undefined) {
    headers[BACKEND_HEADER] = assignment.backend.name;
    if (assignment.backend.version !== undefined) headers[VERSION_HEADER] = assignment.backend.version;
    if (assignment.variant !== '') headers[VARIANT_HEADER] = assignment.variant;
  }
  res.writeHead(status, headers);
}

/**
 * body.pipe(res), settled once the response is finished or has failed. Not stream/promises'
 * pipeline: that one creates an AbortController per call and aborts it on completion, and the
 * DOMException it builds each time cost about a tenth of the gateway's CPU under load.
 * `finished` also settles when the client had already gone before the first byte.
 */
function pipeBody(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    finished(res, (err) => {
      if (err === undefined || err === null) {
        if (res.writableFinished) return resolve();
      }
      // The client went away before the answer was written: stop reading the upstream.
      body.destroy();
      reject(err ?? new Error('the client closed the connection before the response was written'));
    });
    body.once('error', (err) => res.destroy(err));
    body.pipe(res);
  });
}
