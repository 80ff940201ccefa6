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
