import { ProtocolErrorCode, badRequest } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Parameters } from '../v2-types.js';
import type { ModelInferResponseMessage } from './messages.js';
import { parametersFromGrpc } from './parameters.js';
import { needsRaw, tensorFromMessage, tensorToMessage } from './tensor-message.js';

export interface GrpcResponseHead {
  readonly model_name: string;
  readonly model_version?: string;
  readonly id?: string;
}

/**
 * Builds a ModelInferResponse. With `raw` the outputs' elements go in raw_output_contents (one
 * entry per output, in order) and `contents` stays unset; otherwise they go in typed contents.
 * An FP16 output has no typed field, so it makes the whole response raw (the protocol does not
 * allow mixing the two forms in one message).
 */
export function encodeGrpcInferResponse(head: GrpcResponseHead, outputs: readonly Tensor[], options: { raw: boolean }): ModelInferResponseMessage {
  const raw = options.raw || needsRaw(outputs);
  const encoded = outputs.map((t) => tensorToMessage(t, raw));
  return {
    model_name: head.model_name,
    model_version: head.model_version ?? '',
    id: head.id ?? '',
    parameters: {},
    outputs: encoded.map((e) => e.message),
    raw_output_contents: raw ? encoded.map((e) => e.bytes!) : [],
  };
}

export interface GrpcDecodedInferResponse {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly parameters: Parameters;
  readonly outputs: Tensor[];
}

/** Reads a ModelInferResponse, in either form, into Tensors (for the gateway and clients). */
export function decodeGrpcInferResponse(message: ModelInferResponseMessage): GrpcDecodedInferResponse {
  const outputs = message.outputs ?? [];
  const raw = message.raw_output_contents ?? [];
  if (raw.length > 0 && raw.length !== outputs.length) {
    throw badRequest(
      ProtocolErrorCode.INVALID_REQUEST,
      `raw_output_contents: holds ${raw.length} entries but the response has ${outputs.length} outputs`,
    );
  }
  return {
    model_name: message.model_name ?? '',
    model_version: message.model_version ?? '',
    id: message.id ?? '',
    parameters: parametersFromGrpc(message.parameters),
    outputs: outputs.map((o, i) =>
      tensorFromMessage(o, `outputs[${i}]`, raw.length > 0 ? { bytes: raw[i]!, field: `raw_output_contents[${i}]` } : undefined),
    ),
  };
}
