import type { IncomingMessage } from 'node:http';
import { upstreamError, upstreamTimeout, upstreamUnavailable, noHealthyEndpoint } from '../errors.js';
import type { RequestContext } from '../pipeline/context.js';
import { WRITTEN, type Next, type ResponseHeaders, type UpstreamResult } from '../pipeline/filter.js';
import { pickEndpoint } from './balancer.js';
import type { HealthTransition } from '../health/prober.js';
import { servableEndpoints } from '../health/version-readiness.js';
import type { UpstreamEndpoint } from './endpoint.js';
import { takeOutOfRotation } from './refusal.js';
import type { H1CallOptions, H1Response } from './h1/pool.js';
import { upstreamRequestHeaders } from './headers.js';
import { rewriteModelPath } from './model-path.js';

/** Errors raised before any byte reached the upstream: the connection never opened. */
const CONNECT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'CONNECT_TIMEOUT',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['RESPONSE_TIMEOUT']);

export interface ForwardDeps {
  readonly random: () => number;
  /** Epoch ms clock (outlier ejections are in its time); default Date.now. */
  readonly now?: () => number;
  /** Counts a connection that could not be opened, per backend. */
  readonly onConnectError: (backend: string) => void;
  /** An endpoint that refused a connection left the rotation (the health transition log line). */
  readonly onOutOfRotation?: (endpoint: UpstreamEndpoint, change: HealthTransition) => void;
}

/**
 * The chain's terminal step: pick an endpoint of the assigned backend, rewrite the path of a
 * model-aware backend, and send the request through that endpoint's keep-alive pool. The
 * request body streams from the client unless a filter buffered it; the response body is
 * returned as a stream for the listener to pipe.
 *
 * A request no byte of which reached the endpoint (its connection was refused or could not be
 * opened, or its pool closed under a reload) goes to another endpoint of the backend, whatever
 * the method: it is not a retry of work done, so no retry budget is spent on it. An endpoint
 * that refuses connections leaves the rotation at once (see refusal.ts).
 */
export function forwardUpstream(deps: ForwardDeps): Next {
  return async function forward(ctx: RequestContext): Promise<UpstreamResult> {
    const backend = ctx.assignment!.backend;
    const now = (deps.now ?? Date.now)();
    let passedOver: Set<UpstreamEndpoint> | undefined;
    let notSent: NotSent | undefined;
    for (;;) {
      const endpoint = pickEndpoint(untried(servableEndpoints(backend), passedOver), deps.random, now, ctx.avoidEndpoint);
      if (endpoint === undefined) {
        // Every endpoint in rotation was tried: the request fails with the last one's reason.
        if (notSent !== undefined) throw gatewayError(notSent.cause, backend.name);
        throw noHealthyEndpoint(backend.name);
      }
      try {
        return await sendTo(endpoint, ctx, deps);
      } catch (err) {
        if (!(err instanceof NotSent)) throw err;
        notSent = err;
        if (CONNECT_ERROR_CODES.has(err.code)) deps.onConnectError(backend.name);
        if (err.code === 'ECONNREFUSED') {
          const change = takeOutOfRotation(endpoint, backend.endpoints, now);
          if (change !== undefined) deps.onOutOfRotation?.(endpoint, change);
        }
        (passedOver ??= new Set()).add(endpoint);
      }
    }
  };
}

/** One send to one endpoint; throws NotSent when nothing of the request reached it. */
async function sendTo(endpoint: UpstreamEndpoint, ctx: RequestContext, deps: ForwardDeps): Promise<UpstreamResult> {
  const backend = ctx.assignment!.backend;
  ctx.endpoint = endpoint.origin;
  const path = (backend.model === undefined ? undefined : rewriteModelPath(ctx.path, backend.model, backend.version)) ?? ctx.path;
  const options: H1CallOptions = {
    method: ctx.method,
    path: path + ctx.query,
    headers: upstreamRequestHeaders(ctx.req, { requestId: ctx.requestId, scheme: ctx.scheme, upstreamHost: endpoint.tlsHost }),
    body: ctx.body ?? (hasBody(ctx.req) ? ctx.req : null),
    signal: ctx.upstreamSignal ?? ctx.clientGone,
    // Inference has no side effects: a request lost to the keep-alive race may go out again.
    resendable: backend.model !== undefined,
  };
  endpoint.inFlight++;
  if (ctx.sink !== undefined && ctx.body === undefined) return streamToClient(ctx.sink, endpoint, options, backend.name, deps);
  let response: H1Response;
  try {
    response = await endpoint.h1.request(options);
  } catch (err) {
    endpoint.inFlight--;
    throw notSentOr(err, backend.name, deps);
  }
  release(endpoint, response);
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

/** Candidates left once the endpoints already passed over are set aside (the rare path allocates). */
function untried(endpoints: readonly UpstreamEndpoint[], passedOver: ReadonlySet<UpstreamEndpoint> | undefined): readonly UpstreamEndpoint[] {
  return passedOver === undefined ? endpoints : endpoints.filter((e) => !passedOver.has(e));
}

/**
 * The body goes from the upstream socket into the client's response with no Readable in
 * between. An error before the status line is an upstream failure; after it, the answer was cut.
 */
async function streamToClient(
  sink: NonNullable<RequestContext['sink']>,
  endpoint: UpstreamEndpoint,
  options: H1CallOptions,
  backend: string,
  deps: ForwardDeps,
): Promise<UpstreamResult> {
  let status = 0;
  let headers: ResponseHeaders = {};
  try {
    await endpoint.h1.stream(options, (statusCode, responseHeaders) => {
      status = statusCode;
      headers = responseHeaders;
      return sink(status, headers);
    });
  } catch (err) {
    if (status === 0) throw notSentOr(err, backend, deps);
    throw err;
  } finally {
    endpoint.inFlight--;
  }
  return { status, headers, body: WRITTEN };
}

/** A request has a body when it says so; GETs without one must not be sent chunked. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function release(endpoint: UpstreamEndpoint, response: H1Response): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    endpoint.inFlight--;
  };
  response.body.once('close', once);
  response.body.once('error', once);
}

/**
 * A failure no byte of whose request reached the upstream: the connection never opened, or the
 * endpoint's pool was closed (a reload removed it) before the request was given a connection.
 */
class NotSent extends Error {
  constructor(override readonly cause: unknown, readonly code: string) {
    super('the request was not sent', { cause });
  }
}

/** Codes of a request that never left the gateway, besides the connect errors. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['POOL_CLOSED']);

function notSentOr(err: unknown, backend: string, deps: ForwardDeps): Error {
  const code = errorCode(err);
  if (code !== undefined && (CONNECT_ERROR_CODES.has(code) || NOT_SENT_CODES.has(code))) return new NotSent(err, code);
  return upstreamFailure(err, backend, deps);
}

function upstreamFailure(err: unknown, backend: string, deps: ForwardDeps): Error {
  const code = errorCode(err);
  if (code !== undefined && CONNECT_ERROR_CODES.has(code)) deps.onConnectError(backend);
  return gatewayError(err, backend);
}

/** The typed error a failed exchange is answered with. */
function gatewayError(err: unknown, backend: string): Error {
  const code = errorCode(err);
  if (code !== undefined && CONNECT_ERROR_CODES.has(code)) return upstreamUnavailable(backend, err);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return upstreamTimeout(backend, err);
  return upstreamError(backend, err);
}

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  // Wrapped errors: the first code found on the cause chain is the telling one.
  for (let depth = 0; depth < 3 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (typeof code === 'string' && (current as { cause?: unknown }).cause === undefined) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
