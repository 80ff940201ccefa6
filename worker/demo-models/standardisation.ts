import type { DenseLayer } from './mlp.js';

/** Per-feature mean and standard deviation of a training set. */
export interface Standardiser {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

export function fitStandardiser(rows: readonly (readonly number[])[]): Standardiser {
  const width = rows[0]?.length ?? 0;
  const mean = new Float64Array(width);
  const std = new Float64Array(width);
  for (const row of rows) for (let j = 0; j < width; j++) mean[j] = (mean[j] as number) + (row[j] as number) / rows.length;
  for (const row of rows) {
    for (let j = 0; j < width; j++) std[j] = (std[j] as number) + ((row[j] as number) - (mean[j] as number)) ** 2 / rows.length;
  }
  // A constant feature would divide by zero; leave it unscaled instead.
  for (let j = 0; j < width; j++) std[j] = Math.sqrt(std[j] as number) || 1;
  return { mean, std };
}

export function standardise(s: Standardiser, row: readonly number[]): number[] {
  return row.map((v, j) => (v - (s.mean[j] as number)) / (s.std[j] as number));
}

/**
 * Folds (x - mean) / std into the first layer, so the exported model takes raw features
 * with one Gemm instead of Sub, Div and Gemm:
 * W·((x - μ)/σ) + b = (W/σ)·x + (b - Σ W·μ/σ).
 */
export function foldStandardiser(layer: DenseLayer, s: Standardiser): DenseLayer {
  const weights = new Float64Array(layer.weights.length);
  const bias = Float64Array.from(layer.bias);
  for (let o = 0; o < layer.outputs; o++) {
    for (let i = 0; i < layer.inputs; i++) {
      const k = o * layer.inputs + i;
      const w = (layer.weights[k] as number) / (s.std[i] as number);
      weights[k] = w;
      bias[o] = (bias[o] as number) - w * (s.mean[i] as number);
    }
  }
  return { ...layer, weights, bias };
}
