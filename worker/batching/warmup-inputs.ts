import { emptyTensor, type Tensor, type TensorSpec } from '../../protocol/tensor.js';

/**
 * One representative request for warm-up: zeros (empty strings for BYTES) of each declared
 * input shape, with every dynamic dim (-1), the batch dim included, set to 1. Fresh arrays
 * each call, because running them transfers (detaches) their buffers.
 */
export function warmupInputs(specs: readonly TensorSpec[]): Tensor[] {
  return specs.map((spec) => emptyTensor(spec.name, spec.datatype, spec.shape.map((d) => (d === -1 ? 1 : d))));
}
