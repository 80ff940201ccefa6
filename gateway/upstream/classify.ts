import { SwitchyardError } from '../../protocol/errors.js';
import { GRPC_STATUS } from '../../protocol/errors.js';
import { GatewayErrorCode } from '../errors.js';
import { httpStatusForGrpc } from '../grpc/status.js';
import type { UpstreamResult } from '../pipeline/filter.js';

/**
 * The one verdict per response that metrics, the canary analysis, experiments, the circuit
 * breaker, retries, outlier ejection and the fallback all read, as linkerd2-proxy does:
 *
 * - success:  the upstream answered with a status below 500 other than 429 (a 4xx is the
 *             client's mistake, answered correctly by a healthy backend)
 * - timeout:  504 from the upstream, or the gateway gave up waiting (UPSTREAM_TIMEOUT)
 * - rejected: load was refused before it was served: 429 or 503 from the upstream, or the
 *             gateway refused it (no route, body too large, no healthy endpoint, shutting down,
 *             circuit open, shed by maxInFlight)
 * - failure:  everything else: 5xx from the upstream, connection failures, broken streams
 * - cancelled: the client went away (mid-upload or mid-answer) before its answer was complete;
 *             counted, but held against no backend
 */
export type Verdict = 'success' | 'failure' | 'timeout' | 'rejected' | 'cancelled';

export const VERDICTS: readonly Verdict[] = ['success', 'failure', 'timeout', 'rejected', 'cancelled'];

export function classifyStatus(status: number): Verdict {
  if (status < 500) return status === 429 ? 'rejected' : 'success';
  if (status === 503) return 'rejected';
  if (status === 504) return 'timeout';
  return 'failure';
}

const REJECTED_CODES: ReadonlySet<string> = new Set([
  GatewayErrorCode.ROUTE_NOT_FOUND, GatewayErrorCode.BODY_TOO_LARGE, GatewayErrorCode.NO_HEALTHY_ENDPOINT,
  GatewayErrorCode.SHUTTING_DOWN, GatewayErrorCode.INVALID_REQUEST, GatewayErrorCode.UNAUTHORIZED,
  GatewayErrorCode.CIRCUIT_OPEN, GatewayErrorCode.OVERLOADED, GatewayErrorCode.FALLBACK_UNAVAILABLE,
]);

export function classifyError(err: unknown): Verdict {
  if (err instanceof SwitchyardError) {
    if (err.code === GatewayErrorCode.UPSTREAM_TIMEOUT) return 'timeout';
    if (REJECTED_CODES.has(err.code)) return 'rejected';
  }
  return 'failure';
}

/**
 * The same verdict for a gRPC status: the HTTP status it maps to decides (UNAVAILABLE is 503,
 * so rejected: a worker that refuses while draining; a connection that cannot be opened is a
 * typed UPSTREAM_UNAVAILABLE error instead, a failure). CANCELLED is the client leaving.
 */
export function classifyGrpcStatus(code: number): Verdict {
  if (code === GRPC_STATUS.CANCELLED) return 'cancelled';
  return classifyStatus(httpStatusForGrpc(code));
}

/** The verdict of one settled call of a chain step: its result, or what it threw. */
export function classifyOutcome(outcome: { result: UpstreamResult } | { error: unknown }): Verdict {
  return 'result' in outcome ? classifyStatus(outcome.result.status) : classifyError(outcome.error);
}

/**
 * Verdicts held against a backend by its circuit breaker: it failed or did not answer in time.
 * `rejected` is not: a 429/503 is the backend protecting itself (and our own refusals never
 * reached it), and opening the breaker on it would turn back-pressure into an outage.
 */
export function countsAgainstBackend(verdict: Verdict): boolean {
  return verdict === 'failure' || verdict === 'timeout';
}

/** The connection never opened, so the request never reached the upstream: safe to send again whatever the method. */
export function neverSent(err: unknown): boolean {
  return err instanceof SwitchyardError && err.code === GatewayErrorCode.UPSTREAM_UNAVAILABLE;
}

/**
 * Verdicts the fallback answers for: the upstream failed, timed out, or load was refused by
 * the gateway or an upstream 503. The worker's 429 (its queue is full) passes through as is,
 * and so does a 4xx.
 */
export function wantsFallback(outcome: { result: UpstreamResult } | { error: unknown }): boolean {
  if ('result' in outcome) return outcome.result.status >= 500;
  if (outcome.error instanceof SwitchyardError) return outcome.error.status >= 500;
  return true;
}
