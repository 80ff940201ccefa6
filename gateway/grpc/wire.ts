/**
 * Just enough of the protobuf wire format to route a ModelInferRequest without decoding its
 * tensors: read fields 1-3 (model_name, model_version, id) and rewrite 1 and 2, copying every
 * other field's bytes as they are. Tensor contents are skipped by their length prefix.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

const FIELD_MODEL_NAME = 1;
const FIELD_MODEL_VERSION = 2;
const FIELD_ID = 3;
/** ModelStreamInferResponse: `string error_message = 1; ModelInferResponse infer_response = 2;`. */
const FIELD_INFER_RESPONSE = 2;

/** The fields of a ModelInferRequest the gateway routes by. */
export interface InferRequestHead {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly id: string;
}

export class WireFormatError extends Error {}

interface Field {
  readonly number: number;
  readonly wireType: number;
  /** Byte offset of the tag; the field spans [start, end). */
  readonly start: number;
  /** Where a length-delimited field's payload starts. */
  readonly valueStart: number;
  readonly end: number;
}

function readVarint(buf: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const byte = buf[i]!;
    // Past 2^53 precision is lost, but only lengths and tags are used, which are far smaller.
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  throw new WireFormatError('the message is not valid protobuf (a varint runs past its end)');
}

/** Top-level fields of a message, in order. */
function* fields(buf: Uint8Array): Generator<Field> {
  let at = 0;
  while (at < buf.length) {
    const start = at;
    const [tag, afterTag] = readVarint(buf, at);
    const number = Math.floor(tag / 8);
    const wireType = tag & 7;
    let valueStart = afterTag;
    let end: number;
    if (wireType === WIRE_VARINT) end = readVarint(buf, afterTag)[1];
    else if (wireType === WIRE_FIXED64) end = afterTag + 8;
    else if (wireType === WIRE_FIXED32) end = afterTag + 4;
    else if (wireType === WIRE_LENGTH) {
      const [length, afterLength] = readVarint(buf, afterTag);
      valueStart = afterLength;
      end = afterLength + length;
    } else throw new WireFormatError(`the message is not valid protobuf (wire type ${wireType} of field ${number} is not supported)`);
    if (end > buf.length || number === 0) throw new WireFormatError('the message is not valid protobuf (a field runs past its end)');
    yield { number, wireType, start, valueStart, end };
    at = end;
  }
}

const decoder = new TextDecoder();

/** model_name, model_version and id of a serialized ModelInferRequest (the last occurrence wins, as in protobuf). */
export function readInferRequestHead(buf: Uint8Array): InferRequestHead {
  let modelName = '';
  let modelVersion = '';
  let id = '';
  for (const f of fields(buf)) {
    if (f.wireType !== WIRE_LENGTH || f.number > FIELD_ID) continue;
    const text = decoder.decode(buf.subarray(f.valueStart, f.end));
    if (f.number === FIELD_MODEL_NAME) modelName = text;
    else if (f.number === FIELD_MODEL_VERSION) modelVersion = text;
    else id = text;
  }
  return { modelName, modelVersion, id };
}

function writeVarint(value: number, out: number[]): void {
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** One length-delimited field: tag, length, bytes. */
export function lengthDelimited(number: number, payload: Uint8Array): Buffer {
  const head: number[] = [];
  writeVarint(number * 8 + WIRE_LENGTH, head);
  writeVarint(payload.length, head);
  return Buffer.concat([Buffer.from(head), payload]);
}

/**
 * The request with model_name and model_version replaced (an empty version is left out, which
 * proto3 reads as ""); every other field's bytes are copied unchanged, in order.
 */
export function rewriteModelRef(buf: Uint8Array, modelName: string, modelVersion: string): Buffer {
  const parts: Uint8Array[] = [lengthDelimited(FIELD_MODEL_NAME, Buffer.from(modelName, 'utf8'))];
  if (modelVersion !== '') parts.push(lengthDelimited(FIELD_MODEL_VERSION, Buffer.from(modelVersion, 'utf8')));
  let copyFrom = 0;
  for (const f of fields(buf)) {
    if (f.number !== FIELD_MODEL_NAME && f.number !== FIELD_MODEL_VERSION) continue;
    if (f.start > copyFrom) parts.push(buf.subarray(copyFrom, f.start));
    copyFrom = f.end;
  }
  if (copyFrom < buf.length) parts.push(buf.subarray(copyFrom));
  return Buffer.concat(parts);
}

/** A ModelStreamInferResponse carrying one serialized ModelInferResponse and no error. */
export function wrapStreamResponse(inferResponse: Uint8Array): Buffer {
  return lengthDelimited(FIELD_INFER_RESPONSE, inferResponse);
}
