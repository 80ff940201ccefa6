import type { TensorData } from '../../protocol/datatypes.js';
import { SwitchyardError } from '../../protocol/errors.js';
import { isOwned } from '../../protocol/owned-buffer.js';
import type { Tensor } from '../../protocol/tensor.js';
import { mergeTensors } from '../batching/tensor-batch.js';
import type { SessionSettings } from './open-session.js';

/** What crosses between the batcher's thread and a session thread. */

export type ThreadSettings = SessionSettings;

export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  /** One caller's inputs per part, all in the same order of names; several parts are merged along dim 0 in the thread. */
  readonly parts: readonly (readonly Tensor[])[];
  readonly outputs: readonly string[];
}

export type ToSessionThread = RunMessage;

/** Errors cross as plain data: structured clone keeps an Error's message but drops code and status. */
export interface ErrorShape {
  readonly message: string;
  readonly code?: string;
  readonly status?: number;
}

export type FromSessionThread =
  | { readonly type: 'ready'; readonly device: string; readonly warning: string | undefined; readonly inputNames: readonly string[]; readonly outputNames: readonly string[] }
  | { readonly type: 'failed'; readonly error: ErrorShape }
  | { readonly type: 'result'; readonly id: number; readonly outputs: readonly Tensor[] }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorShape };

export function toErrorShape(error: unknown): ErrorShape {
  if (error instanceof SwitchyardError) return { message: error.message, code: error.code, status: error.status };
  return { message: error instanceof Error ? error.message : String(error) };
}

export function fromErrorShape(shape: ErrorShape): Error {
  if (shape.code !== undefined && shape.status !== undefined) return new SwitchyardError(shape.code, shape.status, shape.message);
  return new Error(shape.message);
}

/**
 * Readies tensors to be posted without copying their data where that is safe. A view on a
 * request body's own buffer (owned-buffer.ts, shared memory) is sent as is and shared. A typed
 * array that is exactly its whole ArrayBuffer is sent as is and transferred (detached here
 * afterwards: the sender gives it up). A view on part of any other buffer is copied first,
 * because transferring would take the rest of that buffer (a Node Buffer pool, a gRPC
 * message) with it.
 */
export function forTransfer(tensors: readonly Tensor[]): { tensors: Tensor[]; transfer: ArrayBuffer[] } {
  const { parts, transfer } = partsForTransfer([tensors]);
  return { tensors: parts[0]!, transfer };
}

/**
 * Batches whose inputs come to at most this many bytes are merged before they are posted:
 * cloning one tensor per input is cheaper than cloning and transferring one per caller (a
 * batch of 64 fraud rows is 7.5 KiB). Larger batches (images) are merged in the session
 * thread, so the thread serving HTTP never copies them.
 */
export const MERGE_BEFORE_POSTING_BYTES = 64 * 1024;

/**
 * forTransfer for the parts of a batch: a buffer several parts view is listed once. Several
 * parts small enough together (MERGE_BEFORE_POSTING_BYTES) become one, merged here.
 */
export function partsForTransfer(parts: readonly (readonly Tensor[])[]): { parts: Tensor[][]; transfer: ArrayBuffer[] } {
  const first = parts[0];
  if (parts.length > 1 && first !== undefined && batchBytes(parts) <= MERGE_BEFORE_POSTING_BYTES) {
    const merged = first.map((_, column) => mergeTensors(parts.map((inputs) => inputs[column]!)));
    return { parts: [merged], transfer: merged.flatMap((t) => (Array.isArray(t.data) ? [] : [t.data.buffer as ArrayBuffer])) };
  }
  const transfer = new Set<ArrayBuffer>();
  const ready = parts.map((tensors) => tensors.map((tensor) => {
    const data = ownedData(tensor.data);
    if (!Array.isArray(data) && data.buffer instanceof ArrayBuffer) transfer.add(data.buffer);
    return data === tensor.data ? tensor : { ...tensor, data };
  }));
  return { parts: ready, transfer: [...transfer] };
}

function batchBytes(parts: readonly (readonly Tensor[])[]): number {
  let bytes = 0;
  for (const tensors of parts) for (const tensor of tensors) bytes += Array.isArray(tensor.data) ? 0 : tensor.data.byteLength;
  return bytes;
}

function ownedData(data: TensorData): TensorData {
  if (Array.isArray(data) || isOwned(data.buffer)) return data;
  if (!(data.buffer instanceof ArrayBuffer)) return data.slice();
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}
