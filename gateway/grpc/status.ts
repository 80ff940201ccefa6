import { GRPC_STATUS } from '../../protocol/errors.js';

/**
 * How a gRPC answer travels through the route chain: as an UpstreamResult whose `status` is
 * the HTTP status that means the same (so the verdict classifier, and any filter that reads
 * statuses, treat both transports alike) and whose headers carry the gRPC status itself.
 */
export const GRPC_STATUS_HEADER = 'grpc-status';
export const GRPC_MESSAGE_HEADER = 'grpc-message';

/** gRPC status code → HTTP status, as grpc-gateway maps them (CANCELLED is nginx's 499). */
export function httpStatusForGrpc(code: number): number {
  switch (code) {
    case GRPC_STATUS.OK: return 200;
    case GRPC_STATUS.CANCELLED: return 499;
    case GRPC_STATUS.INVALID_ARGUMENT: case GRPC_STATUS.FAILED_PRECONDITION: case GRPC_STATUS.OUT_OF_RANGE: return 400;
    case GRPC_STATUS.DEADLINE_EXCEEDED: return 504;
    case GRPC_STATUS.NOT_FOUND: return 404;
    case GRPC_STATUS.ALREADY_EXISTS: case GRPC_STATUS.ABORTED: return 409;
    case GRPC_STATUS.PERMISSION_DENIED: return 403;
    case GRPC_STATUS.UNAUTHENTICATED: return 401;
    case GRPC_STATUS.RESOURCE_EXHAUSTED: return 429;
    case GRPC_STATUS.UNIMPLEMENTED: return 501;
    case GRPC_STATUS.UNAVAILABLE: return 503;
    default: return 500;
  }
}
