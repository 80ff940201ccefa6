import type { DemoModelArtifacts } from './artifacts.js';
import { renderModelYaml } from './model-yaml.js';
import { encodeModel, GraphBuilder } from './onnx-graph.js';
import { TIME_SPAN_SECONDS, TRANSACTION_FEATURES } from './transactions.js';
import { FRAUD_LABELS } from './fraud.js';

/** Raw transactions arrive with time in milliseconds and amount in cents; fraud wants seconds and euros. */
export const RAW_UNITS = { timePerSecond: 1000, amountPerEuro: 100 } as const;

/** Per-feature factors that turn a raw transaction row into fraud's units. */
export function preprocessScale(): Float32Array {
  return Float32Array.from(TRANSACTION_FEATURES, (name) => (name === 'time' ? 1 / RAW_UNITS.timePerSecond : name === 'amount' ? 1 / RAW_UNITS.amountPerEuro : 1));
}

/** fraud-preprocess: transaction [batch, 30] (ms, components, cents) → features [batch, 30] (s, components, euros). One Mul. */
export function buildFraudPreprocess(): DemoModelArtifacts {
  const graph = new GraphBuilder('fraud_preprocess');
  const x = graph.input('transaction', ['batch', TRANSACTION_FEATURES.length]);
  const scale = graph.initializer('scale', [TRANSACTION_FEATURES.length], preprocessScale());
  graph.node('Mul', [x, scale], {}, 'features');
  graph.output('features', ['batch', TRANSACTION_FEATURES.length]);
  const onnx = encodeModel(graph, { docString: 'Switchyard demo: scales raw transaction fields (ms → s, cents → euros) for the fraud model.' });
  return {
    name: 'fraud-preprocess',
    modelYaml: renderModelYaml({
      maxBatchSize: 64,
      dynamicBatching: { maxQueueDelayMicroseconds: 1000 },
      inputs: [{
        name: 'transaction',
        datatype: 'FP32',
        shape: [-1, 30],
        features: TRANSACTION_FEATURES.map((name) => ({ name, ...rawRange(name) })),
      }],
    }, [
      'fraud-preprocess: the first step of the fraud-pipeline ensemble. Raw transactions carry time in',
      'milliseconds and amount in cents; this model scales them to seconds and euros, the units fraud expects.',
    ]),
    versions: [{ version: '1', onnx, metrics: {} }],
  };
}

/** fraud-pipeline: an ensemble of fraud-preprocess then fraud (its highest ready version). */
export function buildFraudPipeline(): DemoModelArtifacts {
  return {
    name: 'fraud-pipeline',
    modelYaml: renderModelYaml({
      maxBatchSize: 64,
      ensemble: {
        steps: [
          { model: 'fraud-preprocess', inputMap: { transaction: 'transaction' }, outputMap: { features: 'features' } },
          { model: 'fraud', inputMap: { input: 'features' }, outputMap: { probabilities: 'probabilities' } },
        ],
      },
      outputs: [{ name: 'probabilities', labels: [...FRAUD_LABELS] }],
      versionPolicy: { latest: 1 },
    }, [
      'fraud-pipeline: an ensemble (Triton ensemble scheduling). A raw transaction goes through',
      'fraud-preprocess, whose features feed fraud; each step runs on its own model\'s batcher.',
      'Its version folder holds no model file.',
    ]),
    versions: [{ version: '1', onnx: undefined, metrics: {} }],
  };
}

function rawRange(name: string): { min: number; max: number } {
  if (name === 'time') return { min: 0, max: TIME_SPAN_SECONDS * RAW_UNITS.timePerSecond };
  if (name === 'amount') return { min: 0, max: 100_000 * RAW_UNITS.amountPerEuro };
  return { min: -200, max: 200 };
}
