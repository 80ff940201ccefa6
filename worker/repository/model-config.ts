import { z } from 'zod';
import { DATATYPES } from '../../protocol/datatypes.js';

/** Defaults for `DIR/<model>/model.yaml`. Every field is optional. */
export const MODEL_DEFAULTS = {
  /** Largest batch the batcher builds; 0 disables batching (the model has no batch dimension). */
  maxBatchSize: 32,
  /** How long a request may wait for others to fill a batch, in microseconds. */
  maxQueueDelayMicroseconds: 500,
  /** Requests waiting beyond this are refused with 429. */
  maxQueueSize: 1024,
  /** Per-request timeout while queued, in milliseconds; 0 means none. */
  timeoutMs: 0,
  /** Sessions (each in its own worker_thread) serving this model version. */
  instances: 1,
  /** onnxruntime intra-op threads per session; 0 lets onnxruntime pick. */
  intraOpThreads: 1,
  /** Versions loaded: the highest N. */
  latestVersions: 2,
} as const;

const datatype = z.enum(DATATYPES);

const feature = z.object({
  name: z.string().min(1),
  /** Smallest valid value, inclusive. */
  min: z.number().optional(),
  /** Largest valid value, inclusive. */
  max: z.number().optional(),
}).strict();

const input = z.object({
  name: z.string().min(1),
  datatype: datatype.optional(),
  /** Full shape including the batch dimension; -1 marks any size. */
  shape: z.array(z.number().int().min(-1)).optional(),
  /** Names and valid ranges of the elements along the last dimension. */
  features: z.array(feature).optional(),
  /** Whether NaN is an acceptable value for a floating-point input (default false). */
  allowNaN: z.boolean().default(false),
}).strict();

const output = z.object({
  name: z.string().min(1),
  datatype: datatype.optional(),
  shape: z.array(z.number().int().min(-1)).optional(),
  /** Class names along the last dimension, for classifiers. */
  labels: z.array(z.string()).optional(),
}).strict();

const versionPolicy = z.union([
  z.object({ latest: z.number().int().min(1) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
  z.object({ specific: z.array(z.union([z.string(), z.number().int()]).transform(String)).min(1) }).strict(),
]);

/** One step of an ensemble (Triton's ensemble_scheduling step): which model, and how tensors flow. */
const ensembleStep = z.object({
  model: z.string().min(1),
  /** A version of the step model; default: its highest ready version at request time. */
  version: z.union([z.string(), z.number().int()]).transform(String).optional(),
  /** Step model input name → ensemble tensor that feeds it (an ensemble input or an earlier step's output). */
  inputMap: z.record(z.string(), z.string()),
  /** Step model output name → ensemble tensor it becomes (read by later steps or returned). */
  outputMap: z.record(z.string(), z.string()),
}).strict();

const ensemble = z.object({ steps: z.array(ensembleStep).min(1) }).strict();

export const deviceSchema = z.string().regex(/^(cpu|cuda:\d+|tensorrt:\d+)$/, 'device must be cpu, cuda:N or tensorrt:N');

export const modelConfigSchema = z.object({
  maxBatchSize: z.number().int().min(0).default(MODEL_DEFAULTS.maxBatchSize),
  dynamicBatching: z.object({
    preferredBatchSizes: z.array(z.number().int().min(1)).default([]),
    maxQueueDelayMicroseconds: z.number().int().min(0).default(MODEL_DEFAULTS.maxQueueDelayMicroseconds),
    maxQueueSize: z.number().int().min(1).default(MODEL_DEFAULTS.maxQueueSize),
    timeoutMs: z.number().int().min(0).default(MODEL_DEFAULTS.timeoutMs),
    /** Number of priority levels; 1 is served first. */
    priorityLevels: z.number().int().min(1).default(1),
    enabled: z.boolean().default(true),
  }).strict().prefault({}),
  instances: z.number().int().min(1).default(MODEL_DEFAULTS.instances),
  threads: z.object({
    intraOp: z.number().int().min(0).default(MODEL_DEFAULTS.intraOpThreads),
    interOp: z.number().int().min(0).default(1),
    /**
     * Whether onnxruntime's pool threads spin while waiting for work. Spinning shaves a few µs
     * per run on idle cores but burns CPU the HTTP thread and other replicas need, so off.
     */
    spinning: z.boolean().default(false),
  }).strict().prefault({}),
  device: deviceSchema.optional(),
  onGpuUnavailable: z.enum(['fallback', 'fail']).optional(),
  inputs: z.array(input).optional(),
  outputs: z.array(output).optional(),
  versionPolicy: versionPolicy.default({ latest: MODEL_DEFAULTS.latestVersions }),
  /** Run a warm-up inference per instance before the version reports ready. */
  warmup: z.boolean().default(true),
  /**
   * Makes this model an ensemble: its version folders hold no model.onnx, and a request runs
   * the steps in order, each on its own model's batcher. inputs/outputs name the ensemble's tensors.
   */
  ensemble: ensemble.optional(),
}).strict();

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type InputConfig = z.infer<typeof input>;
export type OutputConfig = z.infer<typeof output>;
export type FeatureConfig = z.infer<typeof feature>;
export type VersionPolicy = z.infer<typeof versionPolicy>;
export type EnsembleConfig = z.infer<typeof ensemble>;
export type EnsembleStepConfig = z.infer<typeof ensembleStep>;
