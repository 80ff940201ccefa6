import { tensorDataToBinary } from './binary-tensor.js';
import { tensorDataToJson } from './tensor-data.js';
import type { Tensor } from './tensor.js';
import type { InferResponseJson, ResponseOutputJson } from './v2-types.js';

export interface EncodedResponse {
  /** Set when some outputs are binary: the JSON part's length, for Inference-Header-Content-Length. */
  readonly jsonLength: number | undefined;
  readonly body: Buffer;
}

/** Encodes a v2 response; outputs named in `binary` travel as raw bytes after the JSON. */
export function encodeInferResponse(
  head: { model_name: string; model_version?: string; id?: string },
  outputs: readonly Tensor[],
  binary: (name: string) => boolean,
): EncodedResponse {
  const chunks: Buffer[] = [];
  const outs: ResponseOutputJson[] = outputs.map((t) => {
    const base = { name: t.name, datatype: t.datatype, shape: [...t.shape] };
    if (!binary(t.name)) return { ...base, data: tensorDataToJson(t.data, t.datatype) };
    const bytes = tensorDataToBinary(t.data, t.datatype);
    chunks.push(bytes);
    return { ...base, parameters: { binary_data_size: bytes.length } };
  });
  const json: InferResponseJson = { model_name: head.model_name, outputs: outs };
  if (head.model_version !== undefined) json.model_version = head.model_version;
  if (head.id !== undefined) json.id = head.id;
  // Key order as Triton sends it: model_name, model_version, id, outputs.
  const ordered = { model_name: json.model_name, model_version: json.model_version, id: json.id, outputs: json.outputs };
  const text = Buffer.from(JSON.stringify(ordered));
  if (chunks.length === 0) return { jsonLength: undefined, body: text };
  return { jsonLength: text.length, body: Buffer.concat([text, ...chunks]) };
}
