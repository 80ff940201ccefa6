/**
 * The one error type that crosses Switchyard's boundaries. Code throws it with a stable
 * `code`; one renderer per transport turns it into `{"error", "code"}` with `status`.
 */
export class SwitchyardError extends Error {
  readonly code: string;
  readonly status: number;
  /** Seconds a client should wait before trying again (sent as Retry-After). */
  readonly retryAfterSeconds: number | undefined;
  /** Fields the client needs to act on the error (an idempotency key to retry with), sent next to error and code. */
  readonly details: Readonly<Record<string, string>> | undefined;

  constructor(code: string, status: number, message: string, options: { cause?: unknown; retryAfterSeconds?: number; details?: Record<string, string> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchyardError';
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }
}

/** Codes for malformed requests, shared by the worker and the gateway. Never rename one. */
export const ProtocolErrorCode = {
  INVALID_JSON: 'INVALID_JSON',
  INVALID_REQUEST: 'INVALID_REQUEST',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  DATATYPE_MISMATCH: 'DATATYPE_MISMATCH',
  ELEMENT_COUNT_MISMATCH: 'ELEMENT_COUNT_MISMATCH',
} as const;

export function badRequest(code: string, message: string): SwitchyardError {
  return new SwitchyardError(code, 400, message);
}

export interface ErrorBody {
  error: string;
  code: string;
  /** An error's details, e.g. idempotencyKey on a 503 from the experiment store. */
  [detail: string]: string;
}

/** Anything thrown becomes a safe body: typed errors keep their text, others say nothing internal. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody; retryAfterSeconds?: number } {
  if (err instanceof SwitchyardError) {
    // Details first, so none can overwrite error or code.
    return { status: err.status, body: { ...err.details, error: err.message, code: err.code }, retryAfterSeconds: err.retryAfterSeconds };
  }
  return { status: 500, body: { error: 'internal error; see the server log for details', code: 'INTERNAL' } };
}

/** gRPC status codes (grpc/status.h), for mapping HTTP-style statuses onto gRPC. */
export const GRPC_STATUS = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5,
  ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9,
  ABORTED: 10, OUT_OF_RANGE: 11, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14,
  DATA_LOSS: 15, UNAUTHENTICATED: 16,
} as const;

export function grpcStatusFor(httpStatus: number): number {
  switch (httpStatus) {
    case 400: case 413: case 422: return GRPC_STATUS.INVALID_ARGUMENT;
    case 401: return GRPC_STATUS.UNAUTHENTICATED;
    case 403: return GRPC_STATUS.PERMISSION_DENIED;
    case 404: return GRPC_STATUS.NOT_FOUND;
    case 408: case 504: return GRPC_STATUS.DEADLINE_EXCEEDED;
    case 409: return GRPC_STATUS.ALREADY_EXISTS;
    case 429: return GRPC_STATUS.RESOURCE_EXHAUSTED;
    case 501: return GRPC_STATUS.UNIMPLEMENTED;
    case 502: case 503: return GRPC_STATUS.UNAVAILABLE;
    default: return httpStatus >= 500 ? GRPC_STATUS.INTERNAL : GRPC_STATUS.UNKNOWN;
  }
}
