import { ProtocolErrorCode, badRequest } from '../errors.js';
import type { DecodedInferRequest } from '../infer-request.js';
import type { Tensor } from '../tensor.js';
import type { Parameters } from '../v2-types.js';
import type { ModelInferRequestMessage } from './messages.js';
import { parametersFromGrpc, parametersToGrpc } from './parameters.js';
import { needsRaw, tensorFromMessage, tensorToMessage } from './tensor-message.js';

/** A ModelInferRequest decoded into the shape the REST decoder gives, plus what gRPC adds. */
export interface GrpcDecodedInferRequest extends DecodedInferRequest {
  readonly model: string;
  /** undefined: the highest ready version. */
  readonly version: string | undefined;
  /** The inputs came in raw_input_contents; the response then uses raw_output_contents. */
  readonly raw: boolean;
}

/**
 * Decodes and structurally checks a ModelInferRequest (not yet against a model). Inputs come
 * either all in raw_input_contents (one entry per input, in order) or all in typed contents.
 */
export function decodeGrpcInferRequest(message: ModelInferRequestMessage): GrpcDecodedInferRequest {
  const inputs = message.inputs ?? [];
  if (inputs.length === 0) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, 'inputs: expected a non-empty array of tensors, received []');
  const raw = message.raw_input_contents ?? [];
  const useRaw = raw.length > 0;
  if (useRaw && raw.length !== inputs.length) {
    throw badRequest(
      ProtocolErrorCode.INVALID_REQUEST,
      `raw_input_contents: holds ${raw.length} entries but the request has ${inputs.length} inputs; send one per input, in the order of inputs`,
    );
  }
  const tensors = inputs.map((input, i) =>
    tensorFromMessage(input, `inputs[${i}]`, useRaw ? { bytes: raw[i]!, field: `raw_input_contents[${i}]` } : undefined),
  );
  return {
    model: message.model_name ?? '',
    version: message.model_version ? message.model_version : undefined,
    id: message.id ? message.id : undefined,
    parameters: parametersFromGrpc(message.parameters),
    inputs: tensors,
    outputs: (message.outputs ?? []).map((o) => ({ name: o.name ?? '', binary: useRaw })),
    binaryOutputs: useRaw,
    raw: useRaw,
  };
}

export interface GrpcRequestHead {
  readonly model_name: string;
  readonly model_version?: string;
  readonly id?: string;
  readonly parameters?: Parameters;
}

/**
 * Builds a ModelInferRequest (for clients, the gateway and tests). `raw` puts the inputs in
 * raw_input_contents; FP16 inputs force it. `outputs` names the outputs wanted (default all).
 */
export function encodeGrpcInferRequest(
  head: GrpcRequestHead,
  inputs: readonly Tensor[],
  options: { raw: boolean; outputs?: readonly string[] },
): ModelInferRequestMessage {
  const raw = options.raw || needsRaw(inputs);
  const encoded = inputs.map((t) => tensorToMessage(t, raw));
  return {
    model_name: head.model_name,
    model_version: head.model_version ?? '',
    id: head.id ?? '',
    parameters: parametersToGrpc(head.parameters),
    inputs: encoded.map((e) => e.message),
    outputs: (options.outputs ?? []).map((name) => ({ name, parameters: {} })),
    raw_input_contents: raw ? encoded.map((e) => e.bytes!) : [],
  };
}
