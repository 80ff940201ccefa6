import { SwitchyardError } from '../protocol/errors.js';

/**
 * Stable codes of every error the gateway answers with. Clients and dashboards key on them:
 * never rename one. Each is rendered by gateway/respond.ts as `{"error", "code"}`.
 */
export const GatewayErrorCode = {
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  /** Raised by the shared body reader (worker/server/body.ts), same code. */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  NO_HEALTHY_ENDPOINT: 'NO_HEALTHY_ENDPOINT',
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Too many wrong admin tokens from one address: 429 with Retry-After. */
  TOO_MANY_AUTH_FAILURES: 'TOO_MANY_AUTH_FAILURES',
  INVALID_REQUEST: 'INVALID_REQUEST',
  INVALID_JSON: 'INVALID_JSON',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  NOT_FOUND: 'NOT_FOUND',
  TARGET_MISMATCH: 'TARGET_MISMATCH',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** The backend's circuit breaker is open: the call failed fast without reaching it. */
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  /** Load shedding: the route or backend has maxInFlight requests in flight. */
  OVERLOADED: 'OVERLOADED',
  /** The upstream failed and the route's fallback had nothing to serve. */
  FALLBACK_UNAVAILABLE: 'FALLBACK_UNAVAILABLE',
  /** The request names a model version that no backend of its route serves (gRPC NOT_FOUND). */
  MODEL_VERSION_NOT_ROUTED: 'MODEL_VERSION_NOT_ROUTED',
} as const;

export type GatewayErrorCode = (typeof GatewayErrorCode)[keyof typeof GatewayErrorCode];

export function routeNotFound(method: string, path: string): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.ROUTE_NOT_FOUND, 404, `no route matches ${method} ${path}; check the routes' match rules in the gateway config`);
}

export function upstreamUnavailable(backend: string, cause: unknown): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.UPSTREAM_UNAVAILABLE, 502, `backend '${backend}' could not be reached; retry later`, { cause });
}

export function upstreamTimeout(backend: string, cause: unknown): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.UPSTREAM_TIMEOUT, 504, `backend '${backend}' did not answer in time; retry later`, { cause });
}

export function upstreamError(backend: string, cause: unknown): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.UPSTREAM_ERROR, 502, `backend '${backend}' broke off the exchange; retry later`, { cause });
}

export function noHealthyEndpoint(backend: string): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.NO_HEALTHY_ENDPOINT, 503, `backend '${backend}' has no healthy endpoint; retry later`, { retryAfterSeconds: 1 });
}

export function unauthorized(): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.UNAUTHORIZED, 401, 'missing or wrong admin token; send Authorization: Bearer <SWITCHYARD_ADMIN_TOKEN>');
}

export function tooManyAuthFailures(retryAfterSeconds: number): SwitchyardError {
  return new SwitchyardError(
    GatewayErrorCode.TOO_MANY_AUTH_FAILURES,
    429,
    `too many wrong admin tokens from this address; try again in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  );
}

export function invalidRequest(message: string): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.INVALID_REQUEST, 400, message);
}

export function notFound(method: string, path: string): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.NOT_FOUND, 404, `no such endpoint: ${method} ${path}`);
}

export function methodNotAllowed(method: string, path: string, allowed: string): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.METHOD_NOT_ALLOWED, 405, `${path} does not accept ${method}; use ${allowed}`);
}

export function shuttingDown(): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.SHUTTING_DOWN, 503, 'the gateway is shutting down; retry on another replica', { retryAfterSeconds: 1 });
}

export function circuitOpen(backend: string, retryAfterSeconds: number): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.CIRCUIT_OPEN, 503,
    `backend '${backend}' is failing and its circuit breaker is open; the request was not sent. Retry after ${retryAfterSeconds} s`, { retryAfterSeconds });
}

export function overloaded(scope: 'route' | 'backend', name: string, limit: number, retryAfterSeconds: number): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.OVERLOADED, 503,
    `${scope} '${name}' already has ${limit} requests in flight (its maxInFlight) for this priority; the request was shed. Retry after ${retryAfterSeconds} s`, { retryAfterSeconds });
}

export function fallbackUnavailable(route: string, why: string, retryAfterSeconds: number | undefined): SwitchyardError {
  return new SwitchyardError(GatewayErrorCode.FALLBACK_UNAVAILABLE, 503,
    `route '${route}' could not be served: ${why}; no fresh cached answer for these inputs and no static fallback`, { retryAfterSeconds });
}

export function modelVersionNotRouted(route: string, version: string, served: readonly string[]): SwitchyardError {
  const choices = served.length === 1 ? `version ${served[0]}` : `versions ${served.join(', ')}`;
  return new SwitchyardError(GatewayErrorCode.MODEL_VERSION_NOT_ROUTED, 404,
    `route '${route}' serves model ${choices}, not the requested version '${version}'; ask for ${served.length === 1 ? 'that version' : 'one of those'} or name no version`);
}
