import { SwitchyardError } from '../../protocol/errors.js';

/** Stable codes of the errors only the gRPC listener raises (sent as the `switchyard-code` trailer). */
export const GrpcGatewayErrorCode = {
  /** The route's backend is a plain HTTP proxy: a gRPC inference call has nowhere to go. */
  GRPC_PLAIN_BACKEND: 'GRPC_PLAIN_BACKEND',
  /** The backend's workers have no known gRPC address. */
  NO_GRPC_ENDPOINT: 'NO_GRPC_ENDPOINT',
  /** The message could not be read (not protobuf, or no model_name). */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** A filter answered in HTTP terms (no gRPC status): e.g. a static fallback body. */
  NO_GRPC_FORM: 'NO_GRPC_FORM',
} as const;

export function plainBackend(route: string, backend: string): SwitchyardError {
  return new SwitchyardError(GrpcGatewayErrorCode.GRPC_PLAIN_BACKEND, 501,
    `route '${route}' sends to backend '${backend}', a plain HTTP proxy; gRPC inference needs a model-aware backend (pool or model)`);
}

export function noGrpcEndpoint(backend: string): SwitchyardError {
  return new SwitchyardError(GrpcGatewayErrorCode.NO_GRPC_ENDPOINT, 503,
    `backend '${backend}' has no worker with a known gRPC address; list them in grpcEndpoints (pools.NAME or backends.NAME), or run 'switchyard up'`,
    { retryAfterSeconds: 1 });
}

export function invalidMessage(message: string): SwitchyardError {
  return new SwitchyardError(GrpcGatewayErrorCode.INVALID_REQUEST, 400, message);
}

export function noGrpcForm(route: string, status: number): SwitchyardError {
  return new SwitchyardError(GrpcGatewayErrorCode.NO_GRPC_FORM, 500,
    `route '${route}' answered with an HTTP ${status} that has no gRPC form (a static fallback?); it applies to HTTP clients only`);
}
