import { ProtocolErrorCode, badRequest } from '../../protocol/errors.js';
import type { Parameters } from '../../protocol/v2-types.js';

// Request options and outcome labels shared by the REST and gRPC servers, so both read the
// same parameters with the same messages and count the same outcomes.

/** Maps an HTTP-style status to the outcome label of switchyard_worker_requests_total. */
export function outcomeOf(status: number): string {
  if (status < 400) return 'ok';
  if (status === 499) return 'cancelled';
  if (status === 429 || status === 503) return 'rejected';
  if (status === 504) return 'timeout';
  return status < 500 ? 'client_error' : 'error';
}

/** Triton's `timeout` parameter is in microseconds; returns milliseconds. */
export function readTimeoutMs(params: Parameters): number | undefined {
  const t = params.timeout;
  if (t === undefined) return undefined;
  if (typeof t !== 'number' || !(t >= 0)) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `parameters.timeout: expected microseconds as a non-negative number, received ${JSON.stringify(t)}`);
  return t / 1000;
}

/** `priority` is a level, 1 highest; 0 or absent means the model's default. */
export function readPriority(params: Parameters, levels: number): number | undefined {
  const p = params.priority;
  if (p === undefined || p === 0) return undefined;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > levels) {
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `parameters.priority: expected an integer level 1..${levels} (1 is highest), received ${JSON.stringify(p)}`);
  }
  return p;
}
