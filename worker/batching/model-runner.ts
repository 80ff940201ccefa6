import type { Tensor, TensorSpec } from '../../protocol/tensor.js';
import { SwitchyardError } from '../../protocol/errors.js';
import { inferenceFailed } from '../errors.js';
import type { ModelConfig } from '../repository/model-config.js';
import { InstanceGroup } from '../runtime/instance-group.js';
import type { SessionThread } from '../runtime/session-thread-client.js';
import type { ThreadSettings } from '../runtime/thread-messages.js';
import { executeBatch, type BatchRequest } from './batch-execution.js';
import { batchPolicyFrom } from './batch-policy.js';
import type { Clock } from './clock.js';
import { DynamicBatcher } from './dynamic-batcher.js';
import type { BatchObserver } from './observer.js';
import { rowCount, shapeKey } from './tensor-batch.js';
import { warmupInputs } from './warmup-inputs.js';
import type { Cancellation } from './cancellation.js';

export interface ModelRunnerOptions {
  readonly model: string;
  readonly version: string;
  /** Path of the version's model.onnx. */
  readonly modelPath: string;
  readonly config: ModelConfig;
  /** Declared inputs and outputs; alternatively pass them as `signature`. */
  readonly inputs?: readonly TensorSpec[];
  readonly outputs?: readonly TensorSpec[];
  readonly signature?: { readonly inputs: readonly TensorSpec[]; readonly outputs: readonly TensorSpec[] };
  readonly observer?: BatchObserver;
  readonly clock?: Clock;
  /** The session thread entry; tests only. */
  readonly threadUrl?: URL;
}

export interface InferOptions {
  /** Longest wait in the queue, in milliseconds; 0 = none; default dynamicBatching.timeoutMs. */
  readonly timeoutMs?: number;
  /** 1 (served first) to dynamicBatching.priorityLevels; default the middle level, rounded towards 1. */
  readonly priority?: number;
  /** Aborting drops the request if it is still queued (it is rejected with REQUEST_TIMEOUT). */
  readonly signal?: Cancellation;
}

export interface ModelRunner {
  readonly model: string;
  readonly version: string;
  /** Device the sessions really run on: the configured one, or cpu after a GPU fallback. */
  readonly device: string;
  /** Set after a GPU fallback, with onnxruntime's reason; log it at warn level. */
  readonly warning: string | undefined;
  readonly instances: number;
  /** Requests waiting for an instance (not counting those running). */
  readonly queueDepth: number;
  /**
   * Runs one validated request through the batcher and resolves with the outputs named, in
   * that order (all declared outputs when none are named). Takes ownership of the input
   * buffers (they may be transferred to a session thread and detached).
   */
  infer(inputs: readonly Tensor[] | Readonly<Record<string, Tensor>>, outputNames: readonly string[], options?: InferOptions): Promise<Tensor[]>;
  /** Runs one zero-filled batch-of-1 request through every instance. */
  warmup(): Promise<void>;
  /** Refuses new requests, finishes queued and running ones, then stops the threads. */
  close(): Promise<void>;
}

/** Starts `config.instances` session threads and the batcher in front of them. Does not warm up. */
export async function createModelRunner(options: ModelRunnerOptions): Promise<ModelRunner> {
  const { model, version, config } = options;
  const inputSpecs = options.inputs ?? options.signature?.inputs;
  const outputSpecs = options.outputs ?? options.signature?.outputs;
  if (inputSpecs === undefined || outputSpecs === undefined) throw new TypeError('createModelRunner needs inputs and outputs (or signature)');
  const allOutputs = outputSpecs.map((o) => o.name);
  const settings: ThreadSettings = {
    modelPath: options.modelPath,
    device: config.device,
    onGpuUnavailable: config.onGpuUnavailable,
    intraOpThreads: config.threads.intraOp,
    interOpThreads: config.threads.interOp,
    spinning: config.threads.spinning,
  };
  const group = await InstanceGroup.start(config.instances, settings, options.threadUrl);
  const policy = batchPolicyFrom(config);
  // When no dim after the batch dim is free, every request that matches the declared inputs
  // (all validated ones do) has the same key: worked out once here instead of once per request.
  const fixedKey = inputSpecs.every((spec) => spec.shape.slice(1).every((d) => d >= 0)) ? shapeKey(inputSpecs) : undefined;
  const keyOf = (list: readonly Tensor[]): string => (fixedKey !== undefined && matchesSpecs(list, inputSpecs) ? fixedKey : shapeKey(list));

  const execute = async (requests: readonly BatchRequest[], thread: SessionThread): Promise<Tensor[][]> => {
    try {
      return await executeBatch(requests, (parts, outputs) => thread.runBatch(parts, outputs));
    } catch (error) {
      throw error instanceof SwitchyardError ? error : inferenceFailed(model, error);
    }
  };
  const batcher = new DynamicBatcher<BatchRequest, Tensor[], SessionThread>({
    labels: { model, version },
    policy,
    maxQueueSize: config.dynamicBatching.maxQueueSize,
    priorityLevels: config.dynamicBatching.priorityLevels,
    defaultTimeoutMs: config.dynamicBatching.timeoutMs,
    pool: group,
    execute,
    clock: options.clock,
    observer: options.observer,
  });

  let closed: Promise<void> | undefined;
  return {
    model,
    version,
    device: group.device,
    warning: group.warning,
    instances: group.size,
    get queueDepth() {
      return batcher.queueDepth;
    },
    async infer(inputs, outputNames, inferOptions = {}) {
      const list = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : Object.values(inputs as Record<string, Tensor>);
      const request: BatchRequest = {
        inputs: list,
        outputs: outputNames.length > 0 ? outputNames : allOutputs,
        rows: config.maxBatchSize > 0 ? rowCount(list) : 1,
      };
      return batcher.submit(request, {
        rows: request.rows,
        shapeKey: policy.batching ? keyOf(list) : '',
        priority: inferOptions.priority,
        timeoutMs: inferOptions.timeoutMs,
        signal: inferOptions.signal,
      });
    },
    async warmup() {
      await Promise.all(group.threads.map((thread) => thread.run(warmupInputs(inputSpecs), allOutputs)));
    },
    close() {
      closed ??= batcher.close().then(() => group.close());
      return closed;
    },
  };
}

/** Inputs in the declared order, with the declared datatypes and the declared dims after dim 0. */
function matchesSpecs(inputs: readonly Tensor[], specs: readonly TensorSpec[]): boolean {
  if (inputs.length !== specs.length) return false;
  for (let i = 0; i < specs.length; i++) {
    const input = inputs[i]!;
    const spec = specs[i]!;
    if (input.name !== spec.name || input.datatype !== spec.datatype || input.shape.length !== spec.shape.length) return false;
    for (let d = 1; d < spec.shape.length; d++) if (input.shape[d] !== spec.shape[d]) return false;
  }
  return true;
}
