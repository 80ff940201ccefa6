import { DATATYPE_INFO, type Datatype, type NumericArray, type TensorData } from './datatypes.js';
import { ProtocolErrorCode, badRequest } from './errors.js';
import { fromHalfBits, toHalfBits } from './float16.js';

const INT_RANGE: Partial<Record<Datatype, readonly [number, number]>> = {
  UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295],
  INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647],
};

/** Flattens row-major nested arrays (the protocol allows both forms) into `out`. */
function flatten(data: unknown, out: unknown[], field: string): void {
  if (!Array.isArray(data)) {
    out.push(data);
    return;
  }
  for (const item of data) {
    if (Array.isArray(item)) flatten(item, out, field);
    else out.push(item);
  }
}

function flattened(data: unknown, field: string): unknown[] {
  const out: unknown[] = [];
  flatten(data, out, field);
  return out;
}

/** An array none of whose elements is an array. */
function isFlatArray(data: unknown): data is readonly unknown[] {
  if (!Array.isArray(data)) return false;
  for (let i = 0; i < data.length; i++) if (Array.isArray(data[i])) return false;
  return true;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function typeError(field: string, index: number, expected: string, value: unknown) {
  return badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}[${index}]: expected ${expected}, received ${describe(value)}`);
}

/**
 * Turns a JSON `data` field into typed tensor data, checking every element's type and range
 * and that the element count equals the product of `shape`. `field` names the field in errors.
 */
export function tensorDataFromJson(data: unknown, datatype: Datatype, count: number, field: string): TensorData {
  // Most clients send flat data (one row of features): read it as it came, without a flattened copy.
  const flat: readonly unknown[] = isFlatArray(data) ? data : flattened(data, field);
  if (flat.length !== count) {
    throw badRequest(
      ProtocolErrorCode.ELEMENT_COUNT_MISMATCH,
      `${field}: the shape holds ${count} elements but ${flat.length} were sent`,
    );
  }
  const info = DATATYPE_INFO[datatype];
  if (datatype === 'BYTES') {
    for (let i = 0; i < flat.length; i++) if (typeof flat[i] !== 'string') throw typeError(field, i, 'a string', flat[i]);
    return flat as string[];
  }
  const out = info.create(count) as NumericArray;
  if (datatype === 'BOOL') {
    const bools = out as Uint8Array;
    for (let i = 0; i < count; i++) {
      const v = flat[i];
      if (typeof v !== 'boolean') throw typeError(field, i, 'true or false', v);
      bools[i] = v ? 1 : 0;
    }
    return bools;
  }
  if (info.isBigInt) {
    const big = out as BigInt64Array | BigUint64Array;
    const unsigned = datatype === 'UINT64';
    for (let i = 0; i < count; i++) {
      const v = flat[i];
      let b: bigint;
      if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
      else if (typeof v === 'string' && /^-?\d+$/.test(v)) b = BigInt(v);
      else throw typeError(field, i, `an ${datatype} integer`, v);
      if (unsigned ? b < 0n || b > 0xffffffffffffffffn : b < -(2n ** 63n) || b >= 2n ** 63n) {
        throw typeError(field, i, `an ${datatype} integer in range`, v);
      }
      big[i] = b;
    }
    return big;
  }
  const nums = out as Exclude<NumericArray, BigInt64Array | BigUint64Array>;
  const range = INT_RANGE[datatype];
  if (range) {
    for (let i = 0; i < count; i++) {
      const v = flat[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
        throw typeError(field, i, `an ${datatype} integer (${range[0]}..${range[1]})`, v);
      }
      nums[i] = v;
    }
    return nums;
  }
  for (let i = 0; i < count; i++) {
    const v = flat[i];
    if (typeof v !== 'number') throw typeError(field, i, 'a number', v);
    nums[i] = datatype === 'FP16' ? toHalfBits(v) : v;
  }
  return nums;
}

/** Tensor data as JSON values: numbers, booleans, strings; 64-bit integers beyond 2^53 as strings. */
export function tensorDataToJson(data: TensorData, datatype: Datatype): unknown[] {
  if (datatype === 'BYTES') return data as string[];
  if (datatype === 'BOOL') return Array.from(data as Uint8Array, (v) => v !== 0);
  if (datatype === 'FP16') return Array.from(data as Uint16Array, fromHalfBits);
  if (DATATYPE_INFO[datatype].isBigInt) {
    return Array.from(data as BigInt64Array, (v) => (v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString()));
  }
  return Array.from(data as Float32Array);
}
