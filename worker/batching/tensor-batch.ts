import { DATATYPE_INFO, type Datatype, type NumericArray, type TensorData } from '../../protocol/datatypes.js';
import { elementCount, type Tensor } from '../../protocol/tensor.js';
import { copyBytes } from '../../protocol/copy-bytes.js';

/** Rows along dim 0 that a request brings; every input agrees (checked upstream). */
export function rowCount(inputs: readonly Tensor[]): number {
  return inputs[0]?.shape[0] ?? 1;
}

/**
 * Requests merge only when every input has the same datatype and the same dims after dim 0;
 * this key says so in one string comparison. Inputs are keyed by name, so their order does not matter.
 */
export function shapeKey(inputs: readonly Pick<Tensor, 'name' | 'datatype' | 'shape'>[]): string {
  return inputs
    .map((t) => `${t.name}:${t.datatype}:${t.shape.slice(1).join('x')}`)
    .sort()
    .join(';');
}

/** Where a merged batch is written: a fresh array by default; session threads reuse one buffer per input. */
export type AllocateTensorData = (name: string, datatype: Datatype, length: number) => NumericArray;

const freshArray: AllocateTensorData = (_name, datatype, length) => DATATYPE_INFO[datatype].create(length) as NumericArray;

/** Concatenates tensors of one input along dim 0. One part is returned as is, without a copy. */
export function mergeTensors(parts: readonly Tensor[], allocate: AllocateTensorData = freshArray): Tensor {
  const first = parts[0];
  if (first === undefined) throw new RangeError('mergeTensors needs at least one tensor');
  if (parts.length === 1) return first;
  const rows = parts.reduce((sum, part) => sum + (part.shape[0] ?? 0), 0);
  const shape = [rows, ...first.shape.slice(1)];
  if (first.datatype === 'BYTES') {
    return { name: first.name, datatype: first.datatype, shape, data: parts.flatMap((part) => part.data as string[]) };
  }
  const data = allocate(first.name, first.datatype, elementCount(shape));
  let offset = 0;
  for (const part of parts) {
    copyInto(data, part.data as NumericArray, offset);
    offset += part.data.length;
  }
  return { name: first.name, datatype: first.datatype, shape, data };
}

/** A numeric tensor copied into a buffer from `allocate` (a session thread's reusable one). */
export function copyTensor(tensor: Tensor, allocate: AllocateTensorData): Tensor {
  const source = tensor.data as NumericArray;
  const data = allocate(tensor.name, tensor.datatype, source.length);
  copyInto(data, source, 0);
  return { ...tensor, data };
}

/**
 * Cuts a batched tensor back into consecutive pieces of `rows` rows along dim 0. Numeric
 * pieces are views on the batch's buffer (no copy); one piece is the tensor itself.
 */
export function splitTensor(tensor: Tensor, rows: readonly number[]): Tensor[] {
  const total = rows.reduce((sum, n) => sum + n, 0);
  if (tensor.shape[0] !== total) {
    throw new RangeError(`output '${tensor.name}' has ${tensor.shape[0]} rows along dim 0, expected ${total} for this batch`);
  }
  if (rows.length === 1) return [tensor];
  const perRow = elementCount(tensor.shape.slice(1));
  const pieces: Tensor[] = [];
  let start = 0;
  for (const n of rows) {
    const end = start + n * perRow;
    pieces.push({ name: tensor.name, datatype: tensor.datatype, shape: [n, ...tensor.shape.slice(1)], data: slice(tensor.data, start, end) });
    start = end;
  }
  return pieces;
}

function slice(data: TensorData, start: number, end: number): TensorData {
  return Array.isArray(data) ? data.slice(start, end) : data.subarray(start, end);
}

/** Parts from this size up are copied as bytes (copyBytes: one memcpy, also from shared memory). */
const BYTE_COPY_MIN_BYTES = 4096;

/** Copies `source` into `target` from element `offset`; both are of the same datatype (merged parts of one input). */
function copyInto(target: NumericArray, source: NumericArray, offset: number): void {
  if (source.byteLength >= BYTE_COPY_MIN_BYTES && source.constructor === target.constructor) {
    copyBytes(bytesOf(target), offset * target.BYTES_PER_ELEMENT, bytesOf(source));
    return;
  }
  // TypedArray.set with the element type checked at run time (bigint arrays only take bigint arrays).
  (target as unknown as { set(source: ArrayLike<unknown>, offset: number): void }).set(source, offset);
}

function bytesOf(view: NumericArray): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
