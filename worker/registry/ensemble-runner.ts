import { SwitchyardError } from '../../protocol/errors.js';
import type { Tensor, TensorSpec } from '../../protocol/tensor.js';
import { WorkerErrorCode, shuttingDown } from '../errors.js';
import type { EnsembleConfig, ModelConfig } from '../repository/model-config.js';
import type { ServedInput, ServedOutput, ServedSignature } from '../repository/signature.js';
import type { LoadedVersion, VersionRunner } from './types.js';

/** What the ensemble needs from the registry: the step versions, looked up per request. */
export interface StepResolver {
  resolve(model: string, version?: string): LoadedVersion;
}

/**
 * The ensemble's own signature, from its steps: an input is a tensor some step reads that no
 * earlier step produced (typed as that step's model input), an output is what model.yaml lists
 * under outputs, or else everything the last step produces. Checked once, at load.
 */
export function ensembleSignature(config: ModelConfig, signatureOf: (model: string) => ServedSignature, where: string): ServedSignature {
  const steps = config.ensemble?.steps ?? [];
  const produced = new Map<string, TensorSpec>();
  const inputs: ServedInput[] = [];
  for (const [i, step] of steps.entries()) {
    let signature: ServedSignature;
    try {
      signature = signatureOf(step.model);
    } catch {
      throw new Error(`${where}: ensemble step ${i + 1} uses model '${step.model}', which is not loaded on this worker`);
    }
    for (const [stepInput, tensor] of Object.entries(step.inputMap)) {
      const spec = signature.inputs.find((s) => s.name === stepInput);
      if (!spec) throw new Error(`${where}: step ${i + 1} maps '${stepInput}', but ${step.model}'s inputs are ${signature.inputs.map((s) => s.name).join(', ')}`);
      const from = produced.get(tensor);
      if (from && from.datatype !== spec.datatype) throw new Error(`${where}: step ${i + 1} feeds ${from.datatype} tensor '${tensor}' to ${step.model}'s ${spec.datatype} input '${stepInput}'`);
      if (!from && !inputs.some((x) => x.name === tensor)) {
        const declared = config.inputs?.find((c) => c.name === tensor);
        inputs.push({ name: tensor, datatype: spec.datatype, shape: declared?.shape ?? spec.shape, features: declared?.features ?? spec.features, allowNaN: declared?.allowNaN ?? spec.allowNaN });
      }
    }
    for (const input of signature.inputs) {
      if (!(input.name in step.inputMap)) throw new Error(`${where}: step ${i + 1} does not feed ${step.model}'s input '${input.name}' (add it to inputMap)`);
    }
    for (const [stepOutput, tensor] of Object.entries(step.outputMap)) {
      const spec = signature.outputs.find((s) => s.name === stepOutput);
      if (!spec) throw new Error(`${where}: step ${i + 1} maps output '${stepOutput}', but ${step.model}'s outputs are ${signature.outputs.map((s) => s.name).join(', ')}`);
      produced.set(tensor, { ...spec, name: tensor });
    }
  }
  const last = steps[steps.length - 1];
  const outputNames = config.outputs?.map((o) => o.name) ?? Object.values(last?.outputMap ?? {});
  const outputs = outputNames.map((name): ServedOutput => {
    const spec = produced.get(name);
    if (!spec) throw new Error(`${where}: output '${name}' is produced by no step`);
    const declared = config.outputs?.find((o) => o.name === name);
    return { ...spec, shape: declared?.shape ?? spec.shape, labels: declared?.labels };
  });
  return { inputs, outputs };
}

/**
 * Runs an ensemble request: each step on its own model's runner (and so its own batcher),
 * the outputs of one step feeding the next by name. Step versions are looked up per request,
 * so a step model's new version takes over the way it does for direct requests.
 */
export function createEnsembleRunner(name: string, ensemble: EnsembleConfig, steps: StepResolver): VersionRunner {
  let inFlight = 0;
  let closing = false;
  let onIdle: (() => void) | undefined;
  // How many steps read each tensor, so a tensor read twice is copied before the first read transfers it.
  const reads = new Map<string, number>();
  for (const step of ensemble.steps) for (const tensor of Object.values(step.inputMap)) reads.set(tensor, (reads.get(tensor) ?? 0) + 1);
  const lastOutputs = Object.values(ensemble.steps[ensemble.steps.length - 1]?.outputMap ?? {});

  async function run(inputs: Tensor[], outputNames: readonly string[], options: Parameters<VersionRunner['infer']>[2]): Promise<Tensor[]> {
    const tensors = new Map(inputs.map((t) => [t.name, t]));
    const remaining = new Map(reads);
    const wanted = new Set(outputNames.length > 0 ? outputNames : lastOutputs);
    for (const step of ensemble.steps) {
      const v = steps.resolve(step.model, step.version);
      if (v.state !== 'READY') {
        throw new SwitchyardError(WorkerErrorCode.MODEL_NOT_READY, 503, `ensemble '${name}': step model '${v.model}' version ${v.version} is ${v.state.toLowerCase()}; retry shortly`, { retryAfterSeconds: 1 });
      }
      const stepInputs = Object.entries(step.inputMap).map(([input, tensorName]) => {
        const tensor = tensors.get(tensorName);
        if (!tensor) throw new Error(`ensemble '${name}': tensor '${tensorName}' is missing`);
        const left = (remaining.get(tensorName) ?? 1) - 1;
        remaining.set(tensorName, left);
        const shared = left > 0 || wanted.has(tensorName);
        return { ...tensor, name: input, data: shared ? copy(tensor.data) : tensor.data };
      });
      const stepOutputs = Object.keys(step.outputMap);
      const results = await v.runner.infer(stepInputs, stepOutputs, options);
      results.forEach((t, i) => {
        const as = step.outputMap[stepOutputs[i]!]!;
        tensors.set(as, { ...t, name: as });
      });
    }
    return [...wanted].map((n) => {
      const t = tensors.get(n);
      if (!t) throw new Error(`ensemble '${name}': output '${n}' was not produced`);
      return t;
    });
  }

  return {
    queueDepth: 0,
    device: 'ensemble',
    async infer(inputs, outputNames, options) {
      if (closing) throw shuttingDown();
      inFlight++;
      try {
        return await run(inputs, outputNames, options);
      } finally {
        inFlight--;
        if (inFlight === 0) onIdle?.();
      }
    },
    // The step models warmed themselves up when they loaded.
    warmup: () => Promise.resolve(),
    async close() {
      closing = true;
      if (inFlight > 0) await new Promise<void>((resolve) => (onIdle = resolve));
    },
  };
}

function copy(data: Tensor['data']): Tensor['data'] {
  return Array.isArray(data) ? [...data] : (data as Exclude<Tensor['data'], string[]>).slice();
}
