import { DATATYPE_INFO, type Datatype, type TensorData } from './datatypes.js';

/** A tensor as every part of Switchyard holds it: flat row-major data plus its shape. */
export interface Tensor {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** Declared shape of a model input or output; -1 marks a dimension of any size. */
export interface TensorSpec {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True when `shape` fits `declared` (same rank; -1 in `declared` accepts any size). */
export function shapeMatches(shape: readonly number[], declared: readonly number[]): boolean {
  if (shape.length !== declared.length) return false;
  for (let i = 0; i < shape.length; i++) {
    if (declared[i] !== -1 && declared[i] !== shape[i]) return false;
  }
  return true;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Bytes a numeric tensor occupies; BYTES tensors are measured by their encoded length. */
export function byteLength(tensor: Tensor): number {
  if (tensor.datatype !== 'BYTES') return (tensor.data as ArrayBufferView).byteLength;
  let total = 0;
  for (const s of tensor.data as string[]) total += 4 + Buffer.byteLength(s);
  return total;
}

/** Allocates an empty tensor of the given type and shape. */
export function emptyTensor(name: string, datatype: Datatype, shape: readonly number[]): Tensor {
  return { name, datatype, shape, data: DATATYPE_INFO[datatype].create(elementCount(shape)) };
}
