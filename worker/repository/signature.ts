import type { Datatype } from '../../protocol/datatypes.js';
import type { TensorSpec } from '../../protocol/tensor.js';
import type { FeatureConfig, ModelConfig } from './model-config.js';
import type { OnnxSignature } from './onnx-signature.js';

/** An input as served: its spec plus what validation needs, resolved once at load. */
export interface ServedInput extends TensorSpec {
  readonly features: readonly FeatureConfig[] | undefined;
  readonly allowNaN: boolean;
}

export interface ServedOutput extends TensorSpec {
  readonly labels: readonly string[] | undefined;
}

export interface ServedSignature {
  readonly inputs: ServedInput[];
  readonly outputs: ServedOutput[];
}

/**
 * Merges what the ONNX file declares with model.yaml. The file is the truth for names and
 * types; model.yaml may narrow shapes and add feature names, ranges and labels. A model.yaml
 * entry that names no tensor of the model is an error, so typos do not pass silently.
 */
export function resolveSignature(onnx: OnnxSignature, config: ModelConfig, where: string): ServedSignature {
  const inputs = onnx.inputs.map((spec): ServedInput => {
    const conf = config.inputs?.find((c) => c.name === spec.name);
    return {
      name: spec.name,
      datatype: checkType(spec, conf?.datatype, where),
      shape: conf?.shape ?? spec.shape,
      features: conf?.features,
      allowNaN: conf?.allowNaN ?? false,
    };
  });
  const outputs = onnx.outputs.map((spec): ServedOutput => {
    const conf = config.outputs?.find((c) => c.name === spec.name);
    return { name: spec.name, datatype: checkType(spec, conf?.datatype, where), shape: conf?.shape ?? spec.shape, labels: conf?.labels };
  });
  for (const c of config.inputs ?? []) {
    if (!inputs.some((i) => i.name === c.name)) throw new Error(`${where}: model.yaml names input '${c.name}', but the model's inputs are ${inputs.map((i) => i.name).join(', ')}`);
  }
  for (const c of config.outputs ?? []) {
    if (!outputs.some((o) => o.name === c.name)) throw new Error(`${where}: model.yaml names output '${c.name}', but the model's outputs are ${outputs.map((o) => o.name).join(', ')}`);
  }
  for (const input of inputs) {
    const last = input.shape[input.shape.length - 1];
    if (input.features && last !== undefined && last !== -1 && input.features.length !== last) {
      throw new Error(`${where}: input '${input.name}' lists ${input.features.length} features but its last dimension is ${last}`);
    }
  }
  return { inputs, outputs };
}

function checkType(spec: TensorSpec, declared: Datatype | undefined, where: string): Datatype {
  if (declared !== undefined && declared !== spec.datatype) {
    throw new Error(`${where}: model.yaml says '${spec.name}' is ${declared} but the model file says ${spec.datatype}`);
  }
  return spec.datatype;
}
