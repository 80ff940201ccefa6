import { DATATYPE_INFO, type Datatype, type NumericArray, type TensorData } from './datatypes.js';
import { ProtocolErrorCode, badRequest } from './errors.js';

/**
 * Reads one tensor of the binary tensor data extension: little-endian, row-major, no padding;
 * BOOL one byte per element; BYTES as a 4-byte length then the bytes, per element.
 * Numeric data is a view on `bytes` when they sit on an element boundary (readBody places
 * them so), and an aligned copy otherwise.
 */
export function tensorDataFromBinary(bytes: Uint8Array, datatype: Datatype, count: number, field: string): TensorData {
  if (datatype === 'BYTES') return decodeBytes(bytes, count, field);
  const info = DATATYPE_INFO[datatype];
  const expected = count * info.size;
  if (bytes.byteLength !== expected) {
    throw badRequest(
      ProtocolErrorCode.ELEMENT_COUNT_MISMATCH,
      `${field}: binary_data_size is ${bytes.byteLength} bytes but the shape holds ${count} ${datatype} elements (${expected} bytes)`,
    );
  }
  if (bytes.byteOffset % info.size === 0) return info.fromBuffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  const copy = new ArrayBuffer(expected);
  new Uint8Array(copy).set(bytes);
  return info.fromBuffer(copy, 0, count);
}

function decodeBytes(bytes: Uint8Array, count: number, field: string): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  let offset = 0;
  const decoder = new TextDecoder();
  while (offset < bytes.byteLength) {
    if (offset + 4 > bytes.byteLength) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}: BYTES element ${out.length} has a truncated length prefix`);
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > bytes.byteLength) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}: BYTES element ${out.length} runs past the end of its data`);
    out.push(decoder.decode(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  if (out.length !== count) {
    throw badRequest(ProtocolErrorCode.ELEMENT_COUNT_MISMATCH, `${field}: the shape holds ${count} elements but ${out.length} were sent`);
  }
  return out;
}

/** Encodes tensor data as the binary extension lays it out (a view, not a copy, for numeric data). */
export function tensorDataToBinary(data: TensorData, datatype: Datatype): Buffer {
  if (datatype !== 'BYTES') {
    const arr = data as NumericArray;
    return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  const parts: Buffer[] = [];
  for (const s of data as string[]) {
    const body = Buffer.from(s);
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32LE(body.length, 0);
    parts.push(len, body);
  }
  return Buffer.concat(parts);
}
