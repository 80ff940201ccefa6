import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from '../pipeline/context.js';
import type { UpstreamResult } from '../pipeline/filter.js';
import { downstreamResponseHeaders } from '../upstream/headers.js';

/** Response headers naming where a request went; route and backend always, version and variant when set. */
export const ROUTE_HEADER = 'x-switchyard-route';
export const BACKEND_HEADER = 'x-switchyard-backend';
export const VERSION_HEADER = 'x-switchyard-version';
export const VARIANT_HEADER = 'x-switchyard-variant';

/** Writes a chain's result: the upstream's status and end-to-end headers, then the body, streamed. */
export async function writeResult(res: ServerResponse, ctx: RequestContext, result: UpstreamResult): Promise<void> {
  const headers = downstreamResponseHeaders(result.headers) as OutgoingHttpHeaders;
  headers['x-request-id'] = ctx.requestId;
  headers[ROUTE_HEADER] = ctx.route.name;
  const assignment = ctx.assignment;
  if (assignment !== undefined) {
    headers[BACKEND_HEADER] = assignment.backend.name;
    if (assignment.backend.version !== undefined) headers[VERSION_HEADER] = assignment.backend.version;
    if (assignment.variant !== '') headers[VARIANT_HEADER] = assignment.variant;
  }
  res.writeHead(result.status, headers);
  const body = result.body;
  if (body === null) res.end();
  else if (body instanceof Uint8Array) res.end(body);
  else await pipeline(body, res);
}
