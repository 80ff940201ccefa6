import * as ort from 'onnxruntime-node';
import { SwitchyardError } from '../../protocol/errors.js';
import {
  DEFAULT_DEVICE, DEFAULT_GPU_UNAVAILABLE_POLICY, executionProvidersFor, fallbackWarning, gpuUnavailableMessage, isGpuDevice,
  type DeviceName, type GpuUnavailablePolicy,
} from './execution-providers.js';

/** Stable code for a model refused because its GPU provider cannot load and fallback is off. */
export const GPU_UNAVAILABLE = 'GPU_UNAVAILABLE';

export interface SessionSettings {
  readonly modelPath: string;
  /** Default cpu. */
  readonly device?: DeviceName;
  /** Default fallback. */
  readonly onGpuUnavailable?: GpuUnavailablePolicy;
  /** onnxruntime intra-op threads; 0 or absent lets onnxruntime pick (one per core). */
  readonly intraOpThreads?: number;
  /** onnxruntime inter-op threads; 0 or absent lets onnxruntime pick. */
  readonly interOpThreads?: number;
  /** Let pool threads spin while idle (default false: see model.yaml `threads.spinning`). */
  readonly spinning?: boolean;
}

export interface OpenedSession {
  readonly session: ort.InferenceSession;
  /** The device the session really runs on. */
  readonly device: DeviceName;
  /** Set when a GPU was asked for and the session fell back to CPU; says why. */
  readonly warning: string | undefined;
}

export type CreateSession = (path: string, options: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;

/** Messages onnxruntime gives when a provider's shared library or driver is missing. */
const PROVIDER_LOAD_FAILURE = /ExecutionProvider|provider|CUDA|cudnn|cublas|TensorRT|nvinfer|shared library/i;

/**
 * Creates the session on the configured device. When a GPU provider fails: with `fallback`
 * the session is created on CPU and `warning` carries the provider's exact error; with
 * `fail` a GPU_UNAVAILABLE error says the same and nothing loads. A model that cannot load
 * on CPU either throws onnxruntime's own error.
 */
export async function openSession(settings: SessionSettings, create: CreateSession = (path, options) => ort.InferenceSession.create(path, options)): Promise<OpenedSession> {
  const device = settings.device ?? DEFAULT_DEVICE;
  const base = sessionOptions(settings);
  const providers = executionProvidersFor(device);
  if (!isGpuDevice(device)) {
    return { session: await create(settings.modelPath, { ...base, executionProviders: ['cpu'] }), device, warning: undefined };
  }
  try {
    return { session: await create(settings.modelPath, { ...base, executionProviders: providers }), device, warning: undefined };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if ((settings.onGpuUnavailable ?? DEFAULT_GPU_UNAVAILABLE_POLICY) === 'fail') {
      if (!PROVIDER_LOAD_FAILURE.test(reason)) throw error;
      throw new SwitchyardError(GPU_UNAVAILABLE, 503, gpuUnavailableMessage(device, reason), { cause: error });
    }
    const session = await create(settings.modelPath, { ...base, executionProviders: ['cpu'] });
    return { session, device: DEFAULT_DEVICE, warning: fallbackWarning(device, reason) };
  }
}

function sessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
  if (settings.intraOpThreads !== undefined && settings.intraOpThreads > 0) options.intraOpNumThreads = settings.intraOpThreads;
  if (settings.interOpThreads !== undefined && settings.interOpThreads > 0) options.interOpNumThreads = settings.interOpThreads;
  const spin = settings.spinning === true ? '1' : '0';
  options.extra = { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } };
  return options;
}
