import { Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { GRPC_STATUS } from '../../protocol/errors.js';
import { ERROR_CODE_METADATA_KEY } from '../../protocol/grpc/status.js';
import { noHealthyEndpoint, upstreamUnavailable } from '../errors.js';
import type { RequestContext } from '../pipeline/context.js';
import type { Next, ResponseHeaders, UpstreamResult } from '../pipeline/filter.js';
import type { CompiledBackend } from '../upstream/backend.js';
import { pickEndpoint } from '../upstream/balancer.js';
import type { UpstreamEndpoint } from '../upstream/endpoint.js';
import type { GrpcChannels } from './channels.js';
import { noGrpcEndpoint, plainBackend } from './errors.js';
import type { GrpcExchange } from './exchange.js';
import { GRPC_MESSAGE_HEADER, GRPC_STATUS_HEADER, httpStatusForGrpc } from './status.js';
import { rewriteModelRef } from './wire.js';
import type { HealthTransition } from '../health/prober.js';
import { takeOutOfRotation } from '../upstream/refusal.js';

/** The code a draining worker refuses a new call with, before running anything (worker/errors.ts). */
const SHUTTING_DOWN = 'SHUTTING_DOWN';
import { requestedVersion } from '../upstream/model-path.js';

/** Messages cross the gateway as bytes: neither side of a forwarded call decodes them. */
export const passthrough = (message: Buffer): Buffer => message;

/** Client metadata the gateway does not forward: gRPC's own (grpc-js sets them per call) and what it sets itself. */
const NOT_FORWARDED: ReadonlySet<string> = new Set(['user-agent', 'te', 'content-type', 'host', 'x-request-id']);

export interface GrpcForwardDeps {
  readonly channels: GrpcChannels;
  /** gRPC address per HTTP origin of a worker (see grpcAddressBook). */
  readonly addresses: ReadonlyMap<string, string>;
  readonly random: () => number;
  /** Epoch ms clock; default Date.now. */
  readonly now?: () => number;
  readonly onConnectError: (backend: string) => void;
  /** An endpoint that refused a connection left the rotation (the health transition log line). */
  readonly onOutOfRotation?: (endpoint: UpstreamEndpoint, change: HealthTransition) => void;
}

/**
 * The chain's terminal step for gRPC calls, the transport twin of forwardUpstream: pick an
 * endpoint of the assigned backend (same balancer, same in-flight counts and probed health as
 * HTTP), rewrite model_name and model_version to the backend's (an unpinned backend keeps the
 * client's version), and call the same method on
 * the worker's gRPC port with the bytes as they came. The answer comes back as an
 * UpstreamResult: the HTTP status that means the same, the gRPC status in `grpc-status` and
 * `grpc-message`, the worker's trailers (switchyard-code, retry-after), and the response bytes.
 *
 * As over HTTP, a worker that is leaving costs no call: a call that could not reach the
 * endpoint, or that a draining worker refused unprocessed (SHUTTING_DOWN), goes to another
 * endpoint of the backend, and an endpoint that refuses connections leaves the rotation at
 * once. Inference has no side effects, so a call cut with its connection may go out again too.
 */
export function forwardGrpc(deps: GrpcForwardDeps): Next {
  const reachable = new WeakMap<CompiledBackend, readonly UpstreamEndpoint[]>();
  const endpointsOf = (backend: CompiledBackend): readonly UpstreamEndpoint[] => {
    let list = reachable.get(backend);
    if (list === undefined) {
      list = backend.endpoints.filter((e) => deps.addresses.has(e.origin));
      reachable.set(backend, list);
    }
    return list;
  };
  return async function forward(ctx: RequestContext): Promise<UpstreamResult> {
    const exchange = ctx.grpc!;
    const backend = ctx.assignment!.backend;
    if (backend.model === undefined) throw plainBackend(ctx.route.name, backend.name);
    const endpoints = endpointsOf(backend);
    if (endpoints.length === 0) throw noGrpcEndpoint(backend.name);
    // A backend that pins no version keeps the client's model_version (the path the call was matched as carries it).
    const message = rewriteModelRef(ctx.body!, backend.model, backend.version ?? requestedVersion(ctx.path) ?? '');
    const now = (deps.now ?? Date.now)();
    let passedOver: Set<UpstreamEndpoint> | undefined;
    let unreachable: unknown;
    let refused: UpstreamResult | undefined;
    for (;;) {
      const endpoint = pickEndpoint(passedOver === undefined ? endpoints : endpoints.filter((e) => !passedOver!.has(e)), deps.random, now);
      if (endpoint === undefined) {
        // Every endpoint in rotation was tried: the last draining worker's answer, else unreachable.
        if (refused !== undefined) return refused;
        if (unreachable !== undefined) throw upstreamUnavailable(backend.name, unreachable);
        throw noHealthyEndpoint(backend.name);
      }
      ctx.endpoint = endpoint.origin;
      const client = deps.channels.get(deps.addresses.get(endpoint.origin)!);
      endpoint.inFlight++;
      try {
        const result = await callUnary(client, exchange, message, ctx.requestId);
        if (result.headers[ERROR_CODE_METADATA_KEY] !== SHUTTING_DOWN) return result;
        refused = result;
      } catch (err) {
        deps.onConnectError(backend.name);
        unreachable = err;
        if (isRefused(err)) {
          const change = takeOutOfRotation(endpoint, endpoints, now);
          if (change !== undefined) deps.onOutOfRotation?.(endpoint, change);
        }
      } finally {
        endpoint.inFlight--;
      }
      (passedOver ??= new Set()).add(endpoint);
    }
  };
}

/** grpc-js says a connect was refused only in its text: 'No connection established. Last error: connect ECONNREFUSED …'. */
function isRefused(err: unknown): boolean {
  return (err as ServiceError).details?.includes('ECONNREFUSED') === true;
}

/** Rejects only when the worker could not be reached; every status it answered with resolves. */
function callUnary(client: Client, exchange: GrpcExchange, message: Buffer, requestId: string): Promise<UpstreamResult> {
  return new Promise((resolve, reject) => {
    const cancel = (): void => call.cancel();
    const call = client.makeUnaryRequest(exchange.method, passthrough, passthrough, message, upstreamMetadata(exchange.metadata, requestId),
      { deadline: exchange.deadline }, (err: ServiceError | null, response?: Buffer) => {
        exchange.call.off('cancelled', cancel);
        if (err === null) resolve({ status: 200, headers: { [GRPC_STATUS_HEADER]: '0' }, body: response ?? Buffer.alloc(0) });
        else if (isUnreachable(err)) reject(err);
        else resolve(errorResult(err));
      });
    exchange.call.once('cancelled', cancel);
  });
}

/** UNAVAILABLE without the worker's error code: grpc-js could not open a connection (a worker's own refusal carries one). */
function isUnreachable(err: ServiceError): boolean {
  return err.code === GRPC_STATUS.UNAVAILABLE && err.metadata?.get(ERROR_CODE_METADATA_KEY).length === 0;
}

function errorResult(err: ServiceError): UpstreamResult {
  const headers: ResponseHeaders = { [GRPC_STATUS_HEADER]: String(err.code), [GRPC_MESSAGE_HEADER]: err.details };
  const trailers = err.metadata?.getMap() ?? {};
  for (const key in trailers) {
    const value = trailers[key];
    if (typeof value === 'string') headers[key] = value;
  }
  return { status: httpStatusForGrpc(err.code), headers, body: null };
}

function upstreamMetadata(client: Metadata, requestId: string): Metadata {
  const out = new Metadata();
  const map = client.getMap();
  for (const key in map) {
    if (key.startsWith('grpc-') || key.startsWith(':') || NOT_FORWARDED.has(key)) continue;
    for (const value of client.get(key)) out.add(key, value);
  }
  out.set('x-request-id', requestId);
  return out;
}

/** The terminal every route's chain ends in when the gateway has a gRPC listener: by the request's transport. */
export function byTransport(http: Next, grpc: Next): Next {
  return function forwardByTransport(ctx) {
    return ctx.grpc === undefined ? http(ctx) : grpc(ctx);
  };
}
