import { Metadata, type StatusObject } from '@grpc/grpc-js';
import { grpcStatusFor, toErrorBody } from '../errors.js';
import type { ModelStreamInferResponseMessage } from './messages.js';

/** Trailing metadata key that carries the stable error code (`SHAPE_MISMATCH`, ...). */
export const ERROR_CODE_METADATA_KEY = 'switchyard-code';
/** Trailing metadata key with the seconds to wait before retrying (REST's Retry-After). */
export const RETRY_AFTER_METADATA_KEY = 'retry-after';

export type GrpcErrorStatus = StatusObject;

/**
 * The one place the gRPC side turns an error into a status: the HTTP status of a
 * SwitchyardError picks the gRPC code (grpcStatusFor), the message is the same text REST
 * sends, and the stable code rides in trailing metadata. Anything else is INTERNAL and says
 * nothing internal. Pass the result to a unary callback or emit it on a stream.
 */
export function toGrpcStatus(err: unknown): GrpcErrorStatus {
  const { status, body, retryAfterSeconds } = toErrorBody(err);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, body.code);
  if (retryAfterSeconds !== undefined) metadata.set(RETRY_AFTER_METADATA_KEY, String(retryAfterSeconds));
  return { code: grpcStatusFor(status), details: body.error, metadata };
}

/**
 * A failed request inside ModelStreamInfer, answered the way Triton does: `error_message`
 * holds the text a unary call would carry as its status details, the stream stays open, and
 * `infer_response` repeats the request's id and model so a client can tell which request
 * failed. Its parameters add the stable code (`error_code`) and the gRPC status code the
 * unary call would have ended with (`grpc_status_code`).
 */
export function toStreamError(
  err: unknown,
  request: { model_name?: string; model_version?: string; id?: string },
): ModelStreamInferResponseMessage {
  const { status, body } = toErrorBody(err);
  return {
    error_message: body.error,
    infer_response: {
      model_name: request.model_name ?? '',
      model_version: request.model_version ?? '',
      id: request.id ?? '',
      parameters: { error_code: { string_param: body.code }, grpc_status_code: { int64_param: grpcStatusFor(status) } },
      outputs: [],
      raw_output_contents: [],
    },
  };
}
