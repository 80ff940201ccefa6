import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { decodeModel, evaluate, type RefModel } from './reference-onnx.js';

/** A session on a model file (or its bytes), one thread: the test machine's cores are shared. */
export async function openSession(model: string | Uint8Array): Promise<ort.InferenceSession> {
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  // Two calls because create's overloads take a path or bytes, not a union of both.
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

/** Runs one input (float32, or uint8 pixels) through onnxruntime and returns the named output. */
export async function runOrt(session: ort.InferenceSession, input: string, data: Float32Array | Uint8Array, dims: readonly number[], output: string): Promise<Float32Array> {
  const tensor = data instanceof Uint8Array ? new ort.Tensor('uint8', data, dims) : new ort.Tensor('float32', data, dims);
  const result = await session.run({ [input]: tensor });
  const out = result[output];
  if (!out) throw new Error(`no output ${output}`);
  return out.data as Float32Array;
}

export async function loadReference(path: string): Promise<RefModel> {
  return decodeModel(new Uint8Array(await readFile(path)));
}

/** Runs the same input through the TypeScript reference (float64 on the file's float32 weights). */
export function runReference(model: RefModel, input: string, data: Float32Array | Uint8Array, dims: readonly number[], output: string): Float64Array {
  const result = evaluate(model, { [input]: { dims, data: Float64Array.from(data) } })[output];
  if (!result) throw new Error(`no output ${output}`);
  return result.data;
}

/** Rows of a batch as one flat float32 buffer. */
export function flatten(rows: readonly (readonly number[])[]): Float32Array {
  return Float32Array.from(rows.flat());
}

/** Index of the largest value in each row of a [rows, width] buffer. */
export function argmaxRows(data: ArrayLike<number>, width: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < data.length; start += width) {
    let best = 0;
    for (let i = 1; i < width; i++) if ((data[start + i] as number) > (data[start + best] as number)) best = i;
    out.push(best);
  }
  return out;
}
