import { DATATYPES, isDatatype, type Datatype, type TensorData } from '../datatypes.js';
import { ProtocolErrorCode, badRequest } from '../errors.js';
import { elementCount, type Tensor } from '../tensor.js';
import type { InferInputTensorMessage, InferOutputTensorMessage, Int64 } from './messages.js';
import { CONTENTS_FIELD, filledContentsFields, tensorDataFromContents, tensorDataFromRaw, tensorDataToContents, tensorDataToRaw } from './tensor-contents.js';

type TensorMessage = InferInputTensorMessage | InferOutputTensorMessage;

/** int64 dims (decimal strings off the wire) → numbers, refusing what is not a size. */
function readShape(value: readonly Int64[] | undefined, field: string): number[] {
  const dims = (value ?? []).map((d) => Number(d));
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}: expected an array of non-negative integers, received ${JSON.stringify(dims)}`);
  }
  return dims;
}

/**
 * One tensor of a request or response message → a Tensor. `raw` is its entry of
 * raw_input_contents / raw_output_contents when the message uses them (then `contents` must
 * be empty; `raw.field` names that entry in errors). `field` names the tensor (`inputs[0]`).
 */
export function tensorFromMessage(message: TensorMessage, field: string, raw: { bytes: Uint8Array; field: string } | undefined): Tensor {
  const name = message.name ?? '';
  if (name === '') throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}.name: expected a non-empty string, received ""`);
  if (!isDatatype(message.datatype)) {
    throw badRequest(ProtocolErrorCode.DATATYPE_MISMATCH, `${field}.datatype: expected one of ${DATATYPES.join(', ')}, received ${JSON.stringify(message.datatype ?? '')}`);
  }
  const datatype: Datatype = message.datatype;
  const shape = readShape(message.shape, `${field}.shape`);
  const count = elementCount(shape);
  let data: TensorData;
  if (raw) {
    const filled = filledContentsFields(message.contents);
    if (filled.length > 0) {
      throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}.contents: must be empty when the message uses raw contents, received ${filled[0]}`);
    }
    data = tensorDataFromRaw(raw.bytes, datatype, count, raw.field);
  } else {
    data = tensorDataFromContents(message.contents, datatype, count, field);
  }
  return { name, datatype, shape, data };
}

/** True when these tensors must travel raw whatever was asked: some datatype has no typed field. */
export function needsRaw(tensors: readonly Tensor[]): boolean {
  return tensors.some((t) => CONTENTS_FIELD[t.datatype] === undefined);
}

/** A Tensor → the message fields (name, datatype, shape, contents) plus its raw bytes when `raw`. */
export function tensorToMessage(tensor: Tensor, raw: boolean): { message: InferOutputTensorMessage; bytes: Buffer | undefined } {
  const head = { name: tensor.name, datatype: tensor.datatype, shape: [...tensor.shape], parameters: {} };
  if (raw) return { message: head, bytes: tensorDataToRaw(tensor.data, tensor.datatype) };
  return { message: { ...head, contents: tensorDataToContents(tensor.data, tensor.datatype) }, bytes: undefined };
}
