/**
 * A multi-layer perceptron as the demo classifiers use it: ReLU between dense layers,
 * softmax at the end. Weights are row-major [outputs][inputs], the layout of ONNX Gemm
 * with transB=1 (and of PyTorch's Linear), so export is a copy.
 */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** Row-major [outputs][inputs]. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

export type Mlp = readonly DenseLayer[];

/** Applies one dense layer: W·x + b. */
export function dense(layer: DenseLayer, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(layer.outputs);
  for (let o = 0; o < layer.outputs; o++) {
    let sum = layer.bias[o] as number;
    const row = o * layer.inputs;
    for (let i = 0; i < layer.inputs; i++) sum += (layer.weights[row + i] as number) * (x[i] as number);
    out[o] = sum;
  }
  return out;
}

export function relu(x: Float64Array): Float64Array {
  return x.map((v) => (v > 0 ? v : 0));
}

/** Numerically stable softmax (the maximum is subtracted first). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp((logits[i] as number) - max);
    sum += out[i] as number;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/** Class probabilities for one row. */
export function predictProbabilities(mlp: Mlp, row: ArrayLike<number>): Float64Array {
  let x: ArrayLike<number> = row;
  mlp.forEach((layer, i) => {
    const z = dense(layer, x);
    x = i < mlp.length - 1 ? relu(z) : z;
  });
  return softmax(x);
}

/** Index of the largest value; the first one on ties. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

export function predictClass(mlp: Mlp, row: ArrayLike<number>): number {
  return argmax(predictProbabilities(mlp, row));
}

/** Number of rows whose predicted class equals the label. */
export function countCorrect(mlp: Mlp, rows: readonly (readonly number[])[], labels: readonly number[]): number {
  let correct = 0;
  rows.forEach((row, i) => {
    if (predictClass(mlp, row) === labels[i]) correct++;
  });
  return correct;
}

/** The same network with every weight rounded to float32, as it is stored in model.onnx. */
export function roundToFloat32(mlp: Mlp): Mlp {
  return mlp.map((l) => ({ ...l, weights: l.weights.map(Math.fround), bias: l.bias.map(Math.fround) }));
}
