import { isDatatype, DATATYPES, type Datatype, type TensorData } from './datatypes.js';
import { ProtocolErrorCode, badRequest } from './errors.js';
import { tensorDataFromBinary } from './binary-tensor.js';
import { tensorDataFromJson } from './tensor-data.js';
import type { Tensor } from './tensor.js';
import type { Parameters } from './v2-types.js';

export interface RequestedOutput {
  readonly name: string;
  /** The output's own `binary_data`; undefined defers to the request's `binary_data_output`. */
  readonly binary: boolean | undefined;
}

/** A v2 inference request, decoded and structurally checked (not yet against a model). */
export interface DecodedInferRequest {
  readonly id: string | undefined;
  readonly parameters: Parameters;
  readonly inputs: Tensor[];
  /** Outputs asked for; empty means all, in the model's order. */
  readonly outputs: RequestedOutput[];
  /** `parameters.binary_data_output`: outputs that do not set `binary_data` come back as binary. */
  readonly binaryOutputs: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw badRequest(ProtocolErrorCode.INVALID_JSON, `the request body is not valid JSON: ${detail}`);
  }
}

function readParameters(value: unknown, field: string): Parameters {
  if (value === undefined) return {};
  if (!isObject(value)) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}: expected an object, received ${JSON.stringify(value)}`);
  return value as Parameters;
}

/** Checks a shape and returns it with its element count. */
function readShape(value: unknown, field: string): { shape: number[]; count: number } {
  const invalid = () => badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}: expected an array of non-negative integers, received ${JSON.stringify(value)}`);
  if (!Array.isArray(value)) throw invalid();
  let count = 1;
  for (const d of value as unknown[]) {
    if (!Number.isInteger(d) || (d as number) < 0) throw invalid();
    count *= d as number;
  }
  return { shape: value as number[], count };
}

/**
 * Decodes a REST inference body. With `jsonLength` (the Inference-Header-Content-Length
 * header) the first `jsonLength` bytes are JSON and the rest holds binary tensors, in the
 * order of the inputs that carry `parameters.binary_data_size`.
 */
export function decodeInferRequest(body: Buffer, jsonLength?: number): DecodedInferRequest {
  if (jsonLength !== undefined && (!Number.isInteger(jsonLength) || jsonLength < 0 || jsonLength > body.length)) {
    throw badRequest(
      ProtocolErrorCode.INVALID_REQUEST,
      `Inference-Header-Content-Length: expected an integer between 0 and the body size ${body.length}, received ${jsonLength}`,
    );
  }
  const headerEnd = jsonLength ?? body.length;
  const json = parseJson(body.toString('utf8', 0, headerEnd));
  if (!isObject(json)) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, 'the request body must be a JSON object with an "inputs" array');
  if (!Array.isArray(json.inputs) || json.inputs.length === 0) {
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `inputs: expected a non-empty array of tensors, received ${json.inputs === undefined ? 'nothing' : JSON.stringify(json.inputs).slice(0, 60)}`);
  }
  if (json.id !== undefined && typeof json.id !== 'string') throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `id: expected a string, received ${JSON.stringify(json.id)}`);
  const parameters = readParameters(json.parameters, 'parameters');

  let binaryOffset = headerEnd;
  const inputs: Tensor[] = json.inputs.map((raw: unknown, i: number): Tensor => {
    const field = `inputs[${i}]`;
    if (!isObject(raw)) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}: expected an object with name, shape, datatype and data`);
    if (typeof raw.name !== 'string' || raw.name === '') throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}.name: expected a non-empty string, received ${JSON.stringify(raw.name)}`);
    if (!isDatatype(raw.datatype)) {
      throw badRequest(ProtocolErrorCode.DATATYPE_MISMATCH, `${field}.datatype: expected one of ${DATATYPES.join(', ')}, received ${JSON.stringify(raw.datatype)}`);
    }
    const datatype: Datatype = raw.datatype;
    const { shape, count } = readShape(raw.shape, `${field}.shape`);
    const params = readParameters(raw.parameters, `${field}.parameters`);
    const binarySize = params.binary_data_size;
    let data: TensorData;
    if (binarySize !== undefined) {
      if (typeof binarySize !== 'number' || !Number.isInteger(binarySize) || binarySize < 0) {
        throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}.parameters.binary_data_size: expected a non-negative integer, received ${JSON.stringify(binarySize)}`);
      }
      if (jsonLength === undefined) {
        throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}: binary_data_size is set but the request has no Inference-Header-Content-Length header`);
      }
      if (binaryOffset + binarySize > body.length) {
        throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}: binary_data_size ${binarySize} runs past the end of the body (${body.length - binaryOffset} bytes left)`);
      }
      data = tensorDataFromBinary(body.subarray(binaryOffset, binaryOffset + binarySize), datatype, count, `${field}.data`);
      binaryOffset += binarySize;
    } else {
      if (raw.data === undefined) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `${field}.data: missing; send the tensor's elements, or binary_data_size with binary data`);
      data = tensorDataFromJson(raw.data, datatype, count, `${field}.data`);
    }
    return { name: raw.name, datatype, shape, data };
  });
  if (binaryOffset !== body.length) {
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `the body has ${body.length - binaryOffset} bytes of binary data that no input claims`);
  }

  const outputs: RequestedOutput[] = [];
  if (json.outputs !== undefined) {
    if (!Array.isArray(json.outputs)) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `outputs: expected an array, received ${JSON.stringify(json.outputs)}`);
    json.outputs.forEach((raw: unknown, i: number) => {
      if (!isObject(raw) || typeof raw.name !== 'string') {
        throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `outputs[${i}].name: expected a string`);
      }
      const params = readParameters(raw.parameters, `outputs[${i}].parameters`);
      outputs.push({ name: raw.name, binary: typeof params.binary_data === 'boolean' ? params.binary_data : undefined });
    });
  }
  return {
    id: json.id as string | undefined,
    parameters,
    inputs,
    outputs,
    binaryOutputs: parameters.binary_data_output === true,
  };
}
