import type { TensorData } from '../../protocol/datatypes.js';
import { SwitchyardError } from '../../protocol/errors.js';
import { isOwned } from '../../protocol/owned-buffer.js';
import type { Tensor } from '../../protocol/tensor.js';
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
 * Readies tensors to be posted with their buffers transferred, not copied. A typed array that
 * is exactly its whole ArrayBuffer, or a view on a request body's own buffer (owned-buffer.ts),
 * is sent as is (and is detached here afterwards: the sender gives it up); a view on part of
 * any other buffer is copied first, because transferring would take the rest of that buffer
 * (a Node Buffer pool, a gRPC message) with it.
 */
export function forTransfer(tensors: readonly Tensor[]): { tensors: Tensor[]; transfer: ArrayBuffer[] } {
  const { parts, transfer } = partsForTransfer([tensors]);
  return { tensors: parts[0]!, transfer };
}

/** forTransfer for the parts of a batch: a buffer several parts view is listed once. */
export function partsForTransfer(parts: readonly (readonly Tensor[])[]): { parts: Tensor[][]; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const ready = parts.map((tensors) => tensors.map((tensor) => {
    const data = ownedData(tensor.data);
    if (!Array.isArray(data)) transfer.add(data.buffer as ArrayBuffer);
    return data === tensor.data ? tensor : { ...tensor, data };
  }));
  return { parts: ready, transfer: [...transfer] };
}

function ownedData(data: TensorData): TensorData {
  if (Array.isArray(data)) return data;
  if (!(data.buffer instanceof ArrayBuffer)) return data.slice();
  const ownsBuffer = (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) || isOwned(data.buffer);
  return ownsBuffer ? data : data.slice();
}
