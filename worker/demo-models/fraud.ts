import type { DemoModelArtifacts } from './artifacts.js';
import { countCorrect, predictClass, roundToFloat32, type Mlp } from './mlp.js';
import { mlpGraph } from './mlp-graph.js';
import { renderModelYaml, type ModelYaml } from './model-yaml.js';
import { encodeModel } from './onnx-graph.js';
import { fitStandardiser, foldStandardiser, standardise } from './standardisation.js';
import { trainMlp } from './trainer.js';
import { generateLabelledTransactions, generateTransactions, TIME_SPAN_SECONDS, TRANSACTION_FEATURES } from './transactions.js';

export const FRAUD_LABELS = ['legit', 'fraud'] as const;

/** Seeds of the data each version is trained on and of the "current traffic" the build measures. */
const SEEDS = { v1Data: 101, v1Init: 102, v2Data: 201, v2Init: 202, holdout: 301, currentTraffic: 401, golden: 501 } as const;
/** Rows of the golden data set a rollout can require a score on (docs/rollouts.md). */
const GOLDEN_ROWS = 200;
const TRAINING_ROWS = 12_000;
const EVALUATION_ROWS = 5_000;

/**
 * Trains one version: 30 → 16 ReLU → 2 softmax, 8 epochs of Adam on 12 000 rows
 * (about 0.4 s here). Standardisation is folded into the first layer, and the weights are
 * rounded to float32, so the returned network is exactly what model.onnx holds.
 */
export function trainFraudModel(drifted: boolean): Mlp {
  const data = generateLabelledTransactions(TRAINING_ROWS, { seed: drifted ? SEEDS.v2Data : SEEDS.v1Data, drifted });
  const standardiser = fitStandardiser(data.rows);
  const { mlp } = trainMlp(data.rows.map((row) => standardise(standardiser, row)), data.labels, {
    hidden: [16],
    classes: 2,
    epochs: 8,
    batchSize: 64,
    learningRate: 0.01,
    seed: drifted ? SEEDS.v2Init : SEEDS.v1Init,
  });
  const [first, ...rest] = mlp;
  if (!first) throw new Error('trainMlp returned no layers');
  return roundToFloat32([foldStandardiser(first, standardiser), ...rest]);
}

/** Share of rows on which the two networks predict different classes. */
export function disagreementRate(a: Mlp, b: Mlp, rows: readonly (readonly number[])[]): number {
  let differ = 0;
  for (const row of rows) if (predictClass(a, row) !== predictClass(b, row)) differ++;
  return differ / rows.length;
}

export function buildFraud(): DemoModelArtifacts {
  const v1 = trainFraudModel(false);
  const v2 = trainFraudModel(true);
  const holdout = generateLabelledTransactions(EVALUATION_ROWS, { seed: SEEDS.holdout });
  const driftedHoldout = generateLabelledTransactions(EVALUATION_ROWS, { seed: SEEDS.holdout, drifted: true });
  const current = generateTransactions(EVALUATION_ROWS, { seed: SEEDS.currentTraffic });
  const drifted = generateTransactions(EVALUATION_ROWS, { seed: SEEDS.currentTraffic, drifted: true });
  const metrics = (mlp: Mlp) => ({
    accuracy: countCorrect(mlp, holdout.rows, holdout.labels) / EVALUATION_ROWS,
    driftedAccuracy: countCorrect(mlp, driftedHoldout.rows, driftedHoldout.labels) / EVALUATION_ROWS,
  });
  const disagreement = disagreementRate(v1, v2, current);
  const driftedDisagreement = disagreementRate(v1, v2, drifted);
  const m1 = metrics(v1);
  const m2 = { ...metrics(v2), disagreementWithV1: disagreement, driftedDisagreementWithV1: driftedDisagreement };
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

  return {
    name: 'fraud',
    modelYaml: renderModelYaml(fraudConfig(), [
      'fraud: card-fraud classifier over 30 features laid out like the public credit-card fraud data set.',
      'An MLP (30 -> 16 ReLU -> 2 softmax) trained by worker/demo-models on synthetic transactions;',
      'standardisation is folded into the first Gemm, so inputs are raw seconds, components and euros.',
      `version 1: trained on the original traffic; accuracy ${pct(m1.accuracy)} (original), ${pct(m1.driftedAccuracy)} (drifted).`,
      `version 2: trained on drifted traffic; accuracy ${pct(m2.accuracy)} (original), ${pct(m2.driftedAccuracy)} (drifted).`,
      `v1 and v2 predict different classes on ${pct(disagreement)} of current traffic (${pct(driftedDisagreement)} of drifted traffic).`,
    ]),
    files: { 'golden.json': goldenSet() },
    versions: [
      { version: '1', onnx: fraudOnnx(v1, 'trained on the original transaction distribution'), metrics: m1 },
      { version: '2', onnx: fraudOnnx(v2, 'trained on the drifted transaction distribution'), metrics: m2 },
    ],
  };
}

/**
 * golden.json: labelled transactions from the original distribution, as a rollout's golden
 * gate reads them ({input, datatype, rows, expected}); values to 6 significant digits.
 */
function goldenSet(): string {
  const data = generateLabelledTransactions(GOLDEN_ROWS, { seed: SEEDS.golden });
  const rows = data.rows.map((row) => row.map((x) => Number(x.toPrecision(6))));
  return JSON.stringify({ input: 'input', datatype: 'FP32', rows, expected: data.labels }) + '\n';
}

function fraudOnnx(mlp: Mlp, trainedOn: string): Uint8Array {
  const graph = mlpGraph(mlp, { graphName: 'fraud', input: 'input', output: 'probabilities' });
  return encodeModel(graph, {
    docString: `Switchyard demo fraud classifier, ${trainedOn}. Output: [P(legit), P(fraud)].`,
    metadata: { labels: FRAUD_LABELS.join(','), features: TRANSACTION_FEATURES.join(',') },
  });
}

function fraudConfig(): ModelYaml {
  return {
    maxBatchSize: 64,
    dynamicBatching: {
      // No preferred sizes: the MLP costs about the same at any batch size up to 64,
      // so a free instance should take whatever is queued.
      preferredBatchSizes: [],
      // No waiting for company: requests that arrive while the instance runs a batch queue
      // and go together in the next one. A run takes tens of µs, so a delay only left the
      // HTTP thread idle: at 64 connections 0 served 8 % more requests than 1 ms (alternating
      // runs, docs/BENCHMARKS.md).
      maxQueueDelayMicroseconds: 0,
      maxQueueSize: 1024,
    },
    instances: 1,
    threads: { intraOp: 1, interOp: 1 },
    inputs: [{
      name: 'input',
      datatype: 'FP32',
      shape: [-1, 30],
      features: TRANSACTION_FEATURES.map((name) => ({ name, ...featureRange(name) })),
    }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2], labels: [...FRAUD_LABELS] }],
    versionPolicy: { latest: 2 },
  };
}

/** Valid ranges: generous (components reach about ±113 in the public data) but finite. */
function featureRange(name: string): { min: number; max: number } {
  if (name === 'time') return { min: 0, max: TIME_SPAN_SECONDS };
  if (name === 'amount') return { min: 0, max: 100_000 };
  return { min: -200, max: 200 };
}
