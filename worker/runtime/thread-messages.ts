import type { TensorData } from '../../protocol/datatypes.js';
import { SwitchyardError } from '../../protocol/errors.js';
import type { Tensor } from '../../protocol/tensor.js';
import type { SessionSettings } from './open-session.js';

/** What crosses between the batcher's thread and a session thread. */

export type ThreadSettings = SessionSettings;

export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  readonly inputs: readonly Tensor[];
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
 * is exactly its whole ArrayBuffer is sent as is (and is detached here afterwards: the sender
 * gives it up); a view on part of a larger or shared buffer is copied first, because
 * transferring would take the rest of that buffer (a Node Buffer pool, a request body) with it.
 */
export function forTransfer(tensors: readonly Tensor[]): { tensors: Tensor[]; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const ready = tensors.map((tensor) => {
    const data = ownedData(tensor.data);
    if (!Array.isArray(data)) transfer.add(data.buffer as ArrayBuffer);
    return data === tensor.data ? tensor : { ...tensor, data };
  });
  return { tensors: ready, transfer: [...transfer] };
}

function ownedData(data: TensorData): TensorData {
  if (Array.isArray(data)) return data;
  const ownsBuffer = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return ownsBuffer ? data : data.slice();
}
