import { SwitchyardError } from '../../protocol/errors.js';
import { GRPC_STATUS } from '../../protocol/errors.js';
import { GatewayErrorCode } from '../errors.js';
import { httpStatusForGrpc } from '../grpc/status.js';

/**
 * The one verdict per response that metrics, the canary analysis, experiments and (later) the
 * breaker and retries all read, as linkerd2-proxy does:
 *
 * - success:  the upstream answered with a status below 500 other than 429 (a 4xx is the
 *             client's mistake, answered correctly by a healthy backend)
 * - timeout:  504 from the upstream, or the gateway gave up waiting (UPSTREAM_TIMEOUT)
 * - rejected: load was refused before it was served: 429 or 503 from the upstream, or the
 *             gateway refused it (no route, body too large, no healthy endpoint, shutting down)
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
