import { tensorDataToBinary } from './binary-tensor.js';
import { tensorDataToJson } from './tensor-data.js';
import type { Tensor } from './tensor.js';
import type { InferResponseJson, ResponseOutputJson } from './v2-types.js';

/**
 * An encoded v2 response. All-JSON answers stay a string: written with the response head as
 * one string, they skip a Buffer and a gathered write per answer (the common case for small
 * models). With binary outputs, the body is the JSON followed by the raw bytes, and
 * `jsonLength` is the JSON part's length, for Inference-Header-Content-Length.
 */
export type EncodedResponse =
  | { readonly jsonLength: undefined; readonly body: string }
  | { readonly jsonLength: number; readonly body: Buffer };

/** Encodes a v2 response; outputs named in `binary` travel as raw bytes after the JSON. */
export function encodeInferResponse(
  head: { model_name: string; model_version?: string; id?: string },
  outputs: readonly Tensor[],
  binary: (name: string) => boolean,
): EncodedResponse {
  const chunks: Buffer[] = [];
  const outs: ResponseOutputJson[] = outputs.map((t) => {
    const shape = t.shape as number[];
    if (!binary(t.name)) return { name: t.name, datatype: t.datatype, shape, data: tensorDataToJson(t.data, t.datatype) };
    const bytes = tensorDataToBinary(t.data, t.datatype);
    chunks.push(bytes);
    return { name: t.name, datatype: t.datatype, shape, parameters: { binary_data_size: bytes.length } };
  });
  // Key order as Triton sends it: model_name, model_version, id, outputs (JSON.stringify skips the undefined ones).
  const json: InferResponseJson = { model_name: head.model_name, model_version: head.model_version, id: head.id, outputs: outs };
  const text = JSON.stringify(json);
  if (chunks.length === 0) return { jsonLength: undefined, body: text };
  const jsonPart = Buffer.from(text);
  return { jsonLength: jsonPart.length, body: Buffer.concat([jsonPart, ...chunks]) };
}
