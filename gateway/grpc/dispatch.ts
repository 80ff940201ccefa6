import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Metadata, type Deadline } from '@grpc/grpc-js';
import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { grpcStatusFor, SwitchyardError } from '../../protocol/errors.js';
import { ERROR_CODE_METADATA_KEY, RETRY_AFTER_METADATA_KEY } from '../../protocol/grpc/status.js';
import type { Logger } from '../../observability/logger.js';
import { routeNotFound, shuttingDown, GatewayErrorCode } from '../errors.js';
import type { RequestRecorder } from '../metrics.js';
import { RequestContext } from '../pipeline/context.js';
import type { UpstreamResult } from '../pipeline/filter.js';
import type { GatewayRuntime } from '../runtime.js';
import { findRoute } from '../routing/match.js';
import type { Verdict } from '../upstream/classify.js';
import { classifyError, classifyGrpcStatus, classifyStatus } from '../upstream/classify.js';
import { BACKEND_HEADER, ROUTE_HEADER, VARIANT_HEADER, VERSION_HEADER } from '../server/write-result.js';
import { invalidMessage, noGrpcForm } from './errors.js';
import { grpcRequest } from './exchange.js';
import { GRPC_MESSAGE_HEADER, GRPC_STATUS_HEADER } from './status.js';
import { readInferRequestHead, WireFormatError, type InferRequestHead } from './wire.js';

const MAX_REQUEST_ID_LENGTH = 200;
const REQUEST_ID_PATTERN = /^[\x21-\x7e]+$/;

/** Which REST path a model-scoped gRPC method stands for when routes are matched. */
export type ModelCallKind = 'infer' | 'metadata' | 'ready';

/** One model-scoped call (or one message of a stream) as the listener hands it over. */
export interface GrpcCallIn {
  readonly kind: ModelCallKind;
  /** Full method path called upstream. */
  readonly method: string;
  /** The serialized request (ModelInferRequest, or a ModelMetadata/ModelReady request: same field numbers). */
  readonly message: Buffer;
  readonly metadata: Metadata;
  readonly headers: IncomingHttpHeaders;
  readonly deadline: Deadline;
  readonly call: EventEmitter;
  readonly peer: string;
}

export type GrpcOutcome =
  | { readonly ok: true; readonly body: Buffer; readonly head: InferRequestHead; readonly responseMetadata: Metadata }
  | { readonly ok: false; readonly error: SwitchyardError; readonly code: number; readonly trailers: Metadata; readonly head: InferRequestHead | undefined; readonly responseMetadata: Metadata };

export interface DispatchDeps {
  readonly runtime: GatewayRuntime;
  readonly noRoute: RequestRecorder;
  readonly log: Logger;
  readonly scheme: 'http' | 'https';
}

/**
 * A model-scoped gRPC call through the gateway: read model_name (and version, id) from the
 * bytes, match the routes as the REST request it stands for (ModelInfer: POST
 * /v2/models/NAME/infer, ModelMetadata: /v2/models/NAME, ModelReady: /v2/models/NAME/ready,
 * with /versions/V when the client names one), run the route's chain (target, filters, the
 * gRPC terminal), record the verdict with the route's metric handles, and return what to
 * answer. Never throws.
 */
export async function dispatchModelCall(deps: DispatchDeps, input: GrpcCallIn): Promise<GrpcOutcome> {
  const startedAt = performance.now();
  const requestId = requestIdOf(input.headers);
  const responseMetadata = new Metadata();
  responseMetadata.set('x-request-id', requestId);
  let recorder = deps.noRoute;
  let verdict: Verdict = 'rejected';
  let head: InferRequestHead | undefined;
  let ctx: RequestContext | undefined;
  try {
    head = readHead(input.message);
    if (deps.runtime.draining) throw shuttingDown();
    const path = restPath(input.kind, head);
    const route = findRoute(deps.runtime.current.routes, path, input.headers);
    if (route === undefined) throw routeNotFound('gRPC', path);
    responseMetadata.set(ROUTE_HEADER, route.name);
    ctx = new RequestContext(grpcRequest(input.headers, path, input.peer), route, requestId, path, '', deps.scheme, startedAt);
    ctx.body = input.message;
    ctx.grpc = { method: input.method, metadata: input.metadata, deadline: input.deadline, call: input.call };
    try {
      const result = await route.handler(ctx);
      describeAssignment(responseMetadata, ctx);
      const outcome = fromResult(result, route.name, head, responseMetadata);
      verdict = outcome.ok ? 'success' : resultVerdict(result);
      return outcome;
    } finally {
      recorder = (ctx.assignment === undefined ? undefined : route.recorders.get(ctx.assignment)) ?? route.unassigned;
    }
  } catch (err) {
    if (ctx !== undefined) describeAssignment(responseMetadata, ctx);
    verdict = isCancelled(input.call) ? 'cancelled' : classifyError(err);
    if (!(err instanceof SwitchyardError)) deps.log.error({ err, requestId }, 'gRPC call failed');
    const error = err instanceof SwitchyardError ? err : new SwitchyardError('INTERNAL', 500, 'internal error; see the gateway log for details');
    return { ok: false, error, code: grpcStatusFor(error.status), trailers: trailersOf(error), head, responseMetadata };
  } finally {
    recorder.record(verdict, (performance.now() - startedAt) / 1000);
  }
}

function readHead(message: Buffer): InferRequestHead {
  let head: InferRequestHead;
  try {
    head = readInferRequestHead(message);
  } catch (err) {
    if (err instanceof WireFormatError) throw invalidMessage(err.message);
    throw err;
  }
  if (head.modelName === '') throw invalidMessage('the request names no model: set model_name (field 1)');
  return head;
}

function restPath(kind: ModelCallKind, head: InferRequestHead): string {
  const base = `/v2/models/${encodeURIComponent(head.modelName)}${head.modelVersion === '' ? '' : `/versions/${encodeURIComponent(head.modelVersion)}`}`;
  return kind === 'metadata' ? base : `${base}/${kind}`;
}

/** A chain result in gRPC terms: the worker's status and trailers as they were, or bytes. */
function fromResult(result: UpstreamResult, route: string, head: InferRequestHead, responseMetadata: Metadata): GrpcOutcome {
  const status = result.headers[GRPC_STATUS_HEADER];
  if (status === '0' && result.body instanceof Uint8Array) return { ok: true, body: Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength), head, responseMetadata };
  if (typeof status !== 'string') {
    const error = noGrpcForm(route, result.status);
    return { ok: false, error, code: grpcStatusFor(error.status), trailers: trailersOf(error), head, responseMetadata };
  }
  const trailers = new Metadata();
  for (const key in result.headers) {
    const value = result.headers[key];
    if (key !== GRPC_STATUS_HEADER && key !== GRPC_MESSAGE_HEADER && typeof value === 'string') trailers.set(key, value);
  }
  const details = result.headers[GRPC_MESSAGE_HEADER];
  const code = trailers.get(ERROR_CODE_METADATA_KEY)[0];
  const error = new SwitchyardError(typeof code === 'string' ? code : GatewayErrorCode.UPSTREAM_ERROR, result.status, typeof details === 'string' ? details : '');
  return { ok: false, error, code: Number(status), trailers, head, responseMetadata };
}

function resultVerdict(result: UpstreamResult): Verdict {
  const status = result.headers[GRPC_STATUS_HEADER];
  return typeof status === 'string' ? classifyGrpcStatus(Number(status)) : classifyStatus(result.status);
}

function describeAssignment(metadata: Metadata, ctx: RequestContext): void {
  const assignment = ctx.assignment;
  if (assignment === undefined) return;
  metadata.set(BACKEND_HEADER, assignment.backend.name);
  if (assignment.backend.version !== undefined) metadata.set(VERSION_HEADER, assignment.backend.version);
  if (assignment.variant !== '') metadata.set(VARIANT_HEADER, assignment.variant);
}

function trailersOf(error: SwitchyardError): Metadata {
  const trailers = new Metadata();
  trailers.set(ERROR_CODE_METADATA_KEY, error.code);
  if (error.retryAfterSeconds !== undefined) trailers.set(RETRY_AFTER_METADATA_KEY, String(error.retryAfterSeconds));
  return trailers;
}

function isCancelled(call: EventEmitter): boolean {
  return (call as { cancelled?: boolean }).cancelled === true;
}

function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  if (typeof given === 'string' && given.length <= MAX_REQUEST_ID_LENGTH && REQUEST_ID_PATTERN.test(given)) return given;
  return randomUUID();
}
