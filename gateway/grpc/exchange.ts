import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Deadline, Metadata } from '@grpc/grpc-js';

/** What the gRPC terminal step needs of the call a RequestContext stands for. */
export interface GrpcExchange {
  /** Full method path, e.g. /inference.GRPCInferenceService/ModelInfer: what is called upstream. */
  readonly method: string;
  /** The client's metadata; forwarded upstream without gRPC's reserved keys. */
  readonly metadata: Metadata;
  /** The client's deadline (Infinity: none); the upstream call gets the same one. */
  readonly deadline: Deadline;
  /** The server call: emits 'cancelled' when the client cancels or its deadline passes. */
  readonly call: EventEmitter;
}

/** Metadata as request headers, for route matching and sticky units: text values only, first value of a key. */
export function metadataHeaders(metadata: Metadata, host: string): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  const map = metadata.getMap();
  for (const key in map) {
    const value = map[key];
    if (typeof value === 'string') headers[key] = value;
  }
  if (host !== '') headers.host = host;
  return headers;
}

/**
 * The request object a RequestContext carries for a gRPC call. Filters read `headers` and
 * `method` from it (sticky units, match rules); the body is already in `ctx.body`, so nothing
 * reads it as a stream. A plain object in the IncomingMessage's place: creating a real one
 * needs a socket per call, and nothing on the gRPC path touches one.
 */
export function grpcRequest(headers: IncomingHttpHeaders, path: string, peer: string): IncomingMessage {
  const rawHeaders: string[] = [];
  for (const key in headers) rawHeaders.push(key, String(headers[key]));
  const request = { method: 'POST', url: path, headers, rawHeaders, complete: true, destroyed: false, socket: { remoteAddress: peer } };
  return request as unknown as IncomingMessage;
}
