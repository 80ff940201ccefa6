import { softmax, type DenseLayer, type Mlp } from './mlp.js';
import { mulberry32, normal, shuffle } from './random.js';

export interface TrainingOptions {
  /** Sizes of the hidden ReLU layers, e.g. [16]. */
  readonly hidden: readonly number[];
  readonly classes: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Adam step size. */
  readonly learningRate: number;
  /** Seeds the initial weights and the order of mini-batches. */
  readonly seed: number;
}

export interface TrainingResult {
  readonly mlp: Mlp;
  /** Mean cross-entropy (nats per row) over the last epoch, measured before each step. */
  readonly finalLoss: number;
}

// Adam's usual constants (Kingma & Ba, 2015).
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * Trains an MLP with softmax cross-entropy and Adam on mini-batches. Rows should already be
 * standardised. Deterministic for a given seed.
 */
export function trainMlp(rows: readonly (readonly number[])[], labels: readonly number[], options: TrainingOptions): TrainingResult {
  const random = mulberry32(options.seed);
  const sizes = [rows[0]?.length ?? 0, ...options.hidden, options.classes];
  const layers = sizes.slice(1).map((outputs, l) => initLayer(sizes[l] as number, outputs, l < sizes.length - 2, random));
  const params = layers.flatMap((l) => [l.weights, l.bias]);
  const grads = params.map((p) => new Float64Array(p.length));
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  const work = createWorkspace(layers);
  const order = rows.map((_, i) => i);
  let step = 0;
  let finalLoss = 0;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(random, order);
    let epochLoss = 0;
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      for (const g of grads) g.fill(0);
      for (const i of batch) epochLoss += accumulateGradients(layers, grads, work, rows[i] as readonly number[], labels[i] as number, batch.length);
      step++;
      params.forEach((p, k) => adamStep(p, grads[k] as Float64Array, m[k] as Float64Array, v[k] as Float64Array, step, options.learningRate));
    }
    finalLoss = epochLoss / rows.length;
  }
  return { mlp: layers, finalLoss };
}

/** He initialisation for ReLU layers, Glorot for the softmax layer; zero biases. */
function initLayer(inputs: number, outputs: number, isHidden: boolean, random: () => number): DenseLayer {
  const std = isHidden ? Math.sqrt(2 / inputs) : Math.sqrt(2 / (inputs + outputs));
  const weights = new Float64Array(inputs * outputs);
  for (let k = 0; k < weights.length; k++) weights[k] = normal(random) * std;
  return { inputs, outputs, weights, bias: new Float64Array(outputs) };
}

/** Per-layer buffers reused for every row, so training allocates nothing per step. */
interface Workspace {
  /** activations[0] is the input row; activations[l + 1] is layer l's output (after ReLU for hidden layers). */
  readonly activations: Float64Array[];
  /** deltas[l] is d(loss)/d(pre-activation of layer l). */
  readonly deltas: Float64Array[];
}

function createWorkspace(layers: readonly DenseLayer[]): Workspace {
  return {
    activations: [new Float64Array(layers[0]?.inputs ?? 0), ...layers.map((l) => new Float64Array(l.outputs))],
    deltas: layers.map((l) => new Float64Array(l.outputs)),
  };
}

/**
 * Backpropagation for one row; adds (gradient / batchSize) into `grads` (laid out as
 * [W0, b0, W1, b1, ...]) and returns the row's cross-entropy in nats.
 */
function accumulateGradients(
  layers: readonly DenseLayer[], grads: Float64Array[], work: Workspace,
  row: readonly number[], label: number, batchSize: number,
): number {
  const { activations, deltas } = work;
  (activations[0] as Float64Array).set(row);
  const last = layers.length - 1;
  layers.forEach((layer, l) => {
    const input = activations[l] as Float64Array;
    const out = activations[l + 1] as Float64Array;
    for (let o = 0; o < layer.outputs; o++) {
      let sum = layer.bias[o] as number;
      const rowStart = o * layer.inputs;
      for (let i = 0; i < layer.inputs; i++) sum += (layer.weights[rowStart + i] as number) * (input[i] as number);
      out[o] = l < last && sum < 0 ? 0 : sum;
    }
  });
  const probabilities = softmax(activations[layers.length] as Float64Array);
  const loss = -Math.log(Math.max(probabilities[label] as number, 1e-12));

  // d(loss)/d(logits) of softmax cross-entropy is p - onehot(label).
  const top = deltas[last] as Float64Array;
  for (let c = 0; c < top.length; c++) top[c] = (probabilities[c] as number) - (c === label ? 1 : 0);
  for (let l = last; l >= 0; l--) {
    const layer = layers[l] as DenseLayer;
    const input = activations[l] as Float64Array;
    const delta = deltas[l] as Float64Array;
    const gW = grads[2 * l] as Float64Array;
    const gb = grads[2 * l + 1] as Float64Array;
    const below = l > 0 ? (deltas[l - 1] as Float64Array) : undefined;
    below?.fill(0);
    for (let o = 0; o < layer.outputs; o++) {
      const d = delta[o] as number;
      if (d === 0) continue;
      gb[o] = (gb[o] as number) + d / batchSize;
      const rowStart = o * layer.inputs;
      for (let i = 0; i < layer.inputs; i++) {
        gW[rowStart + i] = (gW[rowStart + i] as number) + (d / batchSize) * (input[i] as number);
        if (below) below[i] = (below[i] as number) + d * (layer.weights[rowStart + i] as number);
      }
    }
    // ReLU passes gradient only where its output was positive.
    if (below) for (let i = 0; i < below.length; i++) if ((input[i] as number) <= 0) below[i] = 0;
  }
  return loss;
}

function adamStep(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, step: number, lr: number): void {
  const c1 = 1 - BETA1 ** step;
  const c2 = 1 - BETA2 ** step;
  for (let k = 0; k < p.length; k++) {
    const gk = g[k] as number;
    m[k] = BETA1 * (m[k] as number) + (1 - BETA1) * gk;
    v[k] = BETA2 * (v[k] as number) + (1 - BETA2) * gk * gk;
    p[k] = (p[k] as number) - (lr * ((m[k] as number) / c1)) / (Math.sqrt((v[k] as number) / c2) + EPSILON);
  }
}
