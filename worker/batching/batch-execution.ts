import type { Tensor } from '../../protocol/tensor.js';
import { splitTensor } from './tensor-batch.js';

/** One caller's part of a batch. */
export interface BatchRequest {
  readonly inputs: readonly Tensor[];
  /** Outputs this caller asked for, in the order it wants them back. */
  readonly outputs: readonly string[];
  /** Rows along dim 0 (1 when the model has no batch dim). */
  readonly rows: number;
}

/**
 * Runs the session once on the callers' inputs merged along dim 0 (`parts[i]` are caller i's
 * inputs, every part in the same order of names) and answers the named outputs of the whole
 * batch, in that order. A large batch is merged where the session lives (a session thread),
 * so its buffer is never allocated on the thread that serves HTTP; a small one (64 KiB of
 * inputs at most) is merged before it is posted, which costs less than posting its parts.
 */
export type RunSession = (parts: readonly (readonly Tensor[])[], outputNames: readonly string[]) => Promise<Tensor[]>;

/**
 * Runs a batch and gives each caller exactly its own rows of exactly the outputs it asked for.
 * One request runs with its tensors as given (so a model without a batch dim is untouched).
 * Several are merged input by input along dim 0 (by `run`), run once for the union of the
 * outputs they asked for, and split back by rows.
 */
export async function executeBatch(requests: readonly BatchRequest[], run: RunSession): Promise<Tensor[][]> {
  const first = requests[0];
  if (first === undefined) return [];
  if (requests.length === 1) return [await run([first.inputs], first.outputs)];
  const parts = requests.map((r) => first.inputs.map((input) => inputNamed(r, input.name)));
  const wanted = [...new Set(requests.flatMap((r) => r.outputs))];
  const outputs = await run(parts, wanted);
  const rows = requests.map((r) => r.rows);
  const pieces = new Map(outputs.map((tensor) => [tensor.name, splitTensor(tensor, rows)]));
  return requests.map((request, i) => request.outputs.map((name) => {
    const piece = pieces.get(name)?.[i];
    if (piece === undefined) throw new Error(`the session did not return output '${name}'`);
    return piece;
  }));
}

function inputNamed(request: BatchRequest, name: string): Tensor {
  const tensor = request.inputs.find((t) => t.name === name);
  if (tensor === undefined) throw new Error(`a batched request lacks input '${name}'`);
  return tensor;
}
