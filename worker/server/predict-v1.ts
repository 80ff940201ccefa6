import { ProtocolErrorCode, badRequest } from '../../protocol/errors.js';
import { tensorDataFromJson, tensorDataToJson } from '../../protocol/tensor-data.js';
import { elementCount, type Tensor } from '../../protocol/tensor.js';
import type { DecodedInferRequest } from '../../protocol/infer-request.js';
import type { ServedSignature } from '../repository/signature.js';

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  let cur = value;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/**
 * The v1 `:predict` body (`{"instances": [...]}`) as a v2 request. An instance is one row:
 * the input's value for single-input models, or an object keyed by input name.
 */
export function decodePredictRequest(json: unknown, signature: ServedSignature): DecodedInferRequest {
  const instances = (json as { instances?: unknown } | null)?.instances;
  if (!Array.isArray(instances) || instances.length === 0) {
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, 'instances: expected a non-empty array of rows, as in {"instances": [[...], ...]}');
  }
  const single = signature.inputs.length === 1;
  const inputs: Tensor[] = signature.inputs.map((spec) => {
    const rows = single ? instances : instances.map((inst: unknown, i: number) => {
      const value = (inst as Record<string, unknown> | null)?.[spec.name];
      if (value === undefined) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `instances[${i}].${spec.name}: missing; each instance is an object with one key per input`);
      return value;
    });
    const rowShape = shapeOf(rows[0]);
    const shape = [rows.length, ...rowShape];
    return { name: spec.name, datatype: spec.datatype, shape, data: tensorDataFromJson(rows, spec.datatype, elementCount(shape), 'instances') };
  });
  return { id: undefined, parameters: {}, inputs, outputs: [], binaryOutputs: false };
}

/** Splits batched outputs into one prediction per instance. */
export function encodePredictions(outputs: readonly Tensor[], rows: number): unknown[] {
  const perOutput = outputs.map((t) => {
    const flat = tensorDataToJson(t.data, t.datatype);
    const rowShape = t.shape.slice(1);
    const width = elementCount(rowShape);
    return Array.from({ length: rows }, (_, r) => nest(flat.slice(r * width, (r + 1) * width), rowShape));
  });
  if (outputs.length === 1) return perOutput[0]!;
  return Array.from({ length: rows }, (_, r) => Object.fromEntries(outputs.map((t, i) => [t.name, perOutput[i]![r]])));
}

function nest(flat: unknown[], shape: readonly number[]): unknown {
  if (shape.length <= 1) return shape.length === 0 ? flat[0] : flat;
  const step = elementCount(shape.slice(1));
  return Array.from({ length: shape[0]! }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), shape.slice(1)));
}

/** A KServe v1 model call: `:predict`, or (no verb) the model's readiness; a version only from the gateway. */
export interface V1ModelCall {
  readonly verb: 'predict' | 'ready';
  readonly model: string;
  readonly version: string | undefined;
}

/**
 * The v1 model paths, as segments after /v1/models/: `<m>:predict` and `<m>` (KServe v1), and the
 * same with `/versions/<v>`, which the gateway sends for a route pinned to a version.
 */
export function parseV1ModelCall(parts: readonly string[]): V1ModelCall | undefined {
  if (parts.length !== 1 && !(parts.length === 3 && parts[1] === 'versions')) return undefined;
  const last = parts[parts.length - 1]!;
  const predict = last.endsWith(':predict');
  const name = predict ? last.slice(0, -':predict'.length) : last;
  if (name === '' || name.includes(':')) return undefined;
  const model = parts.length === 1 ? name : parts[0]!;
  const version = parts.length === 1 ? undefined : name;
  return { verb: predict ? 'predict' : 'ready', model, version };
}
