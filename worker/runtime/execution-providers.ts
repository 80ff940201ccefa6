/** Where a session runs: `cpu`, `cuda:N` or `tensorrt:N` (N = GPU ordinal), as model.yaml and pools say it. */
export type DeviceName = string;

export type ExecutionProvider = 'cpu' | { readonly name: 'cuda' | 'tensorrt'; readonly deviceId: number };

/** What to do when a GPU provider cannot load: run on CPU with a warning, or refuse to load. */
export type GpuUnavailablePolicy = 'fallback' | 'fail';

export const DEFAULT_DEVICE: DeviceName = 'cpu';
export const DEFAULT_GPU_UNAVAILABLE_POLICY: GpuUnavailablePolicy = 'fallback';

const DEVICE_PATTERN = /^(cpu|cuda|tensorrt)(?::(\d+))?$/;

/**
 * onnxruntime execution providers for a device, in order of preference. onnxruntime adds
 * its CPU provider behind any list on its own for nodes the GPU provider cannot run, so it
 * is not listed after cuda. TensorRT is followed by CUDA for the subgraphs TensorRT rejects.
 */
export function executionProvidersFor(device: DeviceName): ExecutionProvider[] {
  const match = DEVICE_PATTERN.exec(device);
  if (match === null || (match[1] !== 'cpu' && match[2] === undefined) || (match[1] === 'cpu' && match[2] !== undefined)) {
    throw new RangeError(`device must be cpu, cuda:N or tensorrt:N, received '${device}'`);
  }
  if (match[1] === 'cpu') return ['cpu'];
  const deviceId = Number(match[2]);
  if (match[1] === 'cuda') return [{ name: 'cuda', deviceId }];
  return [{ name: 'tensorrt', deviceId }, { name: 'cuda', deviceId }];
}

export function isGpuDevice(device: DeviceName): boolean {
  return executionProvidersFor(device)[0] !== 'cpu';
}

/** Provider names onnxruntime uses in its messages, for the log line a user reads. */
export function providerLabel(device: DeviceName): string {
  const first = executionProvidersFor(device)[0]!;
  if (first === 'cpu') return 'CPU';
  return first.name === 'cuda' ? 'CUDA' : 'TensorRT';
}

/** The sentence a user reads when a GPU was asked for and the session runs on CPU instead. */
export function fallbackWarning(device: DeviceName, reason: string): string {
  return `device '${device}' was requested but the ${providerLabel(device)} execution provider could not load (${reason}); `
    + `running on CPU instead because onGpuUnavailable is 'fallback'`;
}

/** The sentence a user reads when a GPU was asked for, could not load, and falling back is not allowed. */
export function gpuUnavailableMessage(device: DeviceName, reason: string): string {
  return `device '${device}' was requested but the ${providerLabel(device)} execution provider could not load (${reason}); `
    + `refusing to load the model because onGpuUnavailable is 'fail' (set it to 'fallback' to run on CPU)`;
}
