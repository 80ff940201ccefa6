import { DATATYPE_INFO, type Datatype, type NumericArray, type TensorData } from '../datatypes.js';
import { ProtocolErrorCode, badRequest } from '../errors.js';
import { tensorDataFromBinary } from '../binary-tensor.js';
import type { ContentsField, InferTensorContentsMessage, Int64 } from './messages.js';

/** The InferTensorContents field each datatype travels in; FP16 has none (raw contents only). */
export const CONTENTS_FIELD: Readonly<Record<Datatype, ContentsField | undefined>> = {
  BOOL: 'bool_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents',
  INT64: 'int64_contents',
  FP16: undefined,
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

const ALL_FIELDS: readonly ContentsField[] = [
  'bool_contents', 'int_contents', 'int64_contents', 'uint_contents', 'uint64_contents', 'fp32_contents', 'fp64_contents', 'bytes_contents',
];

/** Ranges the wire type (int32 / uint32) does not enforce by itself. */
const NARROW_RANGE: Partial<Record<Datatype, readonly [number, number]>> = {
  UINT8: [0, 255], UINT16: [0, 65535], INT8: [-128, 127], INT16: [-32768, 32767],
};

/** Names of the contents fields that hold at least one element. */
export function filledContentsFields(contents: InferTensorContentsMessage | null | undefined): ContentsField[] {
  if (!contents) return [];
  return ALL_FIELDS.filter((f) => (contents[f]?.length ?? 0) > 0);
}

/**
 * Typed `contents` → tensor data, checking that the elements sit in the datatype's field, that
 * there are as many as the shape holds, and that narrow integers are in range. Messages match
 * the REST decoder's where the case is the same. `field` names the tensor (`inputs[0]`).
 */
export function tensorDataFromContents(
  contents: InferTensorContentsMessage | null | undefined,
  datatype: Datatype,
  count: number,
  field: string,
): TensorData {
  const expected = CONTENTS_FIELD[datatype];
  const filled = filledContentsFields(contents);
  if (expected === undefined) {
    if (count === 0 && filled.length === 0) return DATATYPE_INFO[datatype].create(0);
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}.contents: ${datatype} has no typed contents field; send every input's bytes in raw_input_contents`);
  }
  const stray = filled.find((f) => f !== expected);
  if (stray !== undefined) {
    throw badRequest(ProtocolErrorCode.DATATYPE_MISMATCH, `${field}.contents: a ${datatype} tensor's elements go in ${expected}, received ${stray}`);
  }
  const where = `${field}.contents.${expected}`;
  const values = (contents?.[expected] ?? []) as readonly unknown[];
  if (values.length === 0 && count > 0) {
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${where}: missing; send the tensor's ${count} elements there, or every input's bytes in raw_input_contents`);
  }
  if (values.length !== count) {
    throw badRequest(ProtocolErrorCode.ELEMENT_COUNT_MISMATCH, `${where}: the shape holds ${count} elements but ${values.length} were sent`);
  }
  return convert(values, datatype, where);
}

function convert(values: readonly unknown[], datatype: Datatype, where: string): TensorData {
  const n = values.length;
  switch (datatype) {
    case 'BYTES': {
      const decoder = new TextDecoder();
      return values.map((b) => decoder.decode(b as Uint8Array));
    }
    case 'BOOL':
      return Uint8Array.from(values as boolean[], (b) => (b ? 1 : 0));
    case 'INT64':
    case 'UINT64': {
      const out = DATATYPE_INFO[datatype].create(n) as BigInt64Array | BigUint64Array;
      for (let i = 0; i < n; i++) out[i] = toBigInt(values[i] as Int64, datatype, `${where}[${i}]`);
      return out;
    }
    default: {
      const out = DATATYPE_INFO[datatype].create(n) as Exclude<NumericArray, BigInt64Array | BigUint64Array>;
      const range = NARROW_RANGE[datatype];
      for (let i = 0; i < n; i++) {
        const v = values[i] as number;
        if (range && !(v >= range[0] && v <= range[1])) {
          throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${where}[${i}]: expected an ${datatype} integer (${range[0]}..${range[1]}), received ${v}`);
        }
        out[i] = v;
      }
      return out;
    }
  }
}

function toBigInt(value: Int64, datatype: Datatype, where: string): bigint {
  try {
    return BigInt(value);
  } catch {
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${where}: expected an ${datatype} integer, received ${String(value)}`);
  }
}

/** Tensor data → typed `contents`. FP16 has no typed field: send it raw (a RangeError here). */
export function tensorDataToContents(data: TensorData, datatype: Datatype): InferTensorContentsMessage {
  const field = CONTENTS_FIELD[datatype];
  if (field === undefined) throw new RangeError(`${datatype} has no typed contents field; encode it as raw contents`);
  switch (datatype) {
    case 'BYTES':
      return { bytes_contents: (data as string[]).map((s) => Buffer.from(s)) };
    case 'BOOL':
      return { bool_contents: Array.from(data as Uint8Array, (v) => v !== 0) };
    case 'INT64':
    case 'UINT64':
      return { [field]: Array.from(data as BigInt64Array, (v) => v.toString()) };
    default:
      return { [field]: Array.from(data as Float32Array) };
  }
}

/**
 * One entry of raw_input_contents / raw_output_contents → tensor data (a copy the tensor owns).
 * Layout as the REST binary extension: little-endian, row-major; BYTES length-prefixed.
 */
export function tensorDataFromRaw(bytes: Uint8Array, datatype: Datatype, count: number, field: string): TensorData {
  const size = DATATYPE_INFO[datatype].size;
  if (datatype !== 'BYTES' && bytes.byteLength !== count * size) {
    throw badRequest(
      ProtocolErrorCode.ELEMENT_COUNT_MISMATCH,
      `${field}: holds ${bytes.byteLength} bytes but the shape holds ${count} ${datatype} elements (${count * size} bytes)`,
    );
  }
  return tensorDataFromBinary(bytes, datatype, count, field);
}

export { tensorDataToBinary as tensorDataToRaw } from '../binary-tensor.js';
