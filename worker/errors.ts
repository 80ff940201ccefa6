import { ProtocolErrorCode, SwitchyardError } from '../protocol/errors.js';
import { formatShape } from '../protocol/tensor.js';

/** Stable codes the worker answers with. Clients may match on them; never rename one. */
export const WorkerErrorCode = {
  ...ProtocolErrorCode,
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  VERSION_NOT_FOUND: 'VERSION_NOT_FOUND',
  MODEL_NOT_READY: 'MODEL_NOT_READY',
  UNKNOWN_INPUT: 'UNKNOWN_INPUT',
  MISSING_INPUT: 'MISSING_INPUT',
  UNKNOWN_OUTPUT: 'UNKNOWN_OUTPUT',
  SHAPE_MISMATCH: 'SHAPE_MISMATCH',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  VALUE_NOT_FINITE: 'VALUE_NOT_FINITE',
  VALUE_OUT_OF_RANGE: 'VALUE_OUT_OF_RANGE',
  QUEUE_FULL: 'QUEUE_FULL',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  INFERENCE_FAILED: 'INFERENCE_FAILED',
  MANIFEST_MISMATCH: 'MANIFEST_MISMATCH',
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  MODEL_NOT_IN_REPOSITORY: 'MODEL_NOT_IN_REPOSITORY',
  JOB_NOT_FOUND: 'JOB_NOT_FOUND',
  INVALID_MODEL_NAME: 'INVALID_MODEL_NAME',
  UNAUTHORIZED: 'UNAUTHORIZED',
} as const;

export type WorkerErrorCode = (typeof WorkerErrorCode)[keyof typeof WorkerErrorCode];

export function invalidRequest(message: string): SwitchyardError {
  return new SwitchyardError(WorkerErrorCode.INVALID_REQUEST, 400, message);
}

export function modelNotFound(model: string, known: readonly string[]): SwitchyardError {
  const hint = known.length > 0 ? `; models served here: ${known.join(', ')}` : '; no models are loaded';
  return new SwitchyardError(WorkerErrorCode.MODEL_NOT_FOUND, 404, `model '${model}' is not served here${hint}`);
}

export function versionNotFound(model: string, version: string, known: readonly string[]): SwitchyardError {
  return new SwitchyardError(
    WorkerErrorCode.VERSION_NOT_FOUND,
    404,
    `model '${model}' has no loaded version '${version}'; loaded versions: ${known.join(', ') || 'none'}`,
  );
}

/**
 * The model (or the version named) is in the repository and on its way in, or on its way out:
 * 503 with Retry-After, never 404, so a client that retries on 503 waits for it.
 */
export function modelNotReady(model: string, version: string | undefined, state: string): SwitchyardError {
  const which = version === undefined ? `model '${model}'` : `model '${model}' version ${version}`;
  return new SwitchyardError(WorkerErrorCode.MODEL_NOT_READY, 503, `${which} is ${state}; retry shortly`, { retryAfterSeconds: 1 });
}

export function shapeMismatch(input: string, expected: readonly number[], received: readonly number[]): SwitchyardError {
  return new SwitchyardError(
    WorkerErrorCode.SHAPE_MISMATCH,
    400,
    `input '${input}': expected shape ${formatShape(expected)} (-1 = any size), received ${formatShape(received)}`,
  );
}

export function queueFull(model: string, limit: number, retryAfterSeconds: number): SwitchyardError {
  return new SwitchyardError(
    WorkerErrorCode.QUEUE_FULL,
    429,
    `model '${model}': the batch queue is full (${limit} requests waiting); retry after ${retryAfterSeconds}s`,
    { retryAfterSeconds },
  );
}

export function requestTimeout(model: string, timeoutMs: number): SwitchyardError {
  return new SwitchyardError(
    WorkerErrorCode.REQUEST_TIMEOUT,
    504,
    `model '${model}': the request waited longer than its timeout of ${timeoutMs} ms and was not run`,
  );
}

export function shuttingDown(): SwitchyardError {
  return new SwitchyardError(WorkerErrorCode.SHUTTING_DOWN, 503, 'the worker is shutting down; send the request to another replica', {
    retryAfterSeconds: 1,
  });
}

export function inferenceFailed(model: string, cause: unknown): SwitchyardError {
  return new SwitchyardError(WorkerErrorCode.INFERENCE_FAILED, 500, `model '${model}': inference failed in the runtime`, { cause });
}

export function manifestMismatch(message: string): SwitchyardError {
  return new SwitchyardError(WorkerErrorCode.MANIFEST_MISMATCH, 400, message);
}

export function modelLoadFailed(model: string, cause: unknown): SwitchyardError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SwitchyardError(WorkerErrorCode.MODEL_LOAD_FAILED, 400, `model '${model}' failed to load: ${reason}`, { cause });
}

export function modelNotInRepository(model: string, repository: string): SwitchyardError {
  return new SwitchyardError(WorkerErrorCode.MODEL_NOT_IN_REPOSITORY, 404, `the repository ${repository} has no model '${model}' with a version holding model.onnx`);
}
