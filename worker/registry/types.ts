import type { Manifest } from '../repository/manifest.js';
import type { BatchObserver } from '../batching/observer.js';
import type { Tensor } from '../../protocol/tensor.js';
import type { ModelConfig } from '../repository/model-config.js';
import type { ServedSignature } from '../repository/signature.js';
import type { Cancellation } from '../batching/cancellation.js';

export interface InferOptions {
  /** Longest time the request may wait in the queue, in ms; 0 = none. */
  readonly timeoutMs?: number;
  /** 1 is the highest priority level. */
  readonly priority?: number;
  /** Aborted when the client is gone or its deadline passed: a queued request is dropped. */
  readonly signal?: Cancellation;
}

/** What the server needs from the runtime for one loaded model version. */
export interface VersionRunner {
  infer(inputs: Tensor[], outputNames: readonly string[], options?: InferOptions): Promise<Tensor[]>;
  warmup(): Promise<void>;
  close(): Promise<void>;
  readonly queueDepth: number;
  /** Device the sessions really run on (cpu after a GPU fallback). */
  readonly device?: string;
  /** Set when the configured GPU could not be used and the runner fell back to CPU. */
  readonly warning?: string;
}

export interface RunnerSpec {
  readonly model: string;
  readonly version: string;
  readonly modelPath: string;
  readonly config: ModelConfig;
  readonly signature: ServedSignature;
}

export type RunnerFactory = (spec: RunnerSpec & { readonly observer?: BatchObserver }) => Promise<VersionRunner>;

export type VersionState = 'LOADING' | 'READY' | 'UNLOADING' | 'FAILED';

export interface LoadedVersion extends RunnerSpec {
  state: VersionState;
  readonly runner: VersionRunner;
  /** Hex sha256 of model.onnx as loaded (checked against manifest.json when there is one); undefined for ensembles. */
  readonly sha256: string | undefined;
  /** The version's manifest.json, when it was registered with one. */
  readonly manifest: Manifest | undefined;
}
