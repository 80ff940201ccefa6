import type { DemoModelArtifacts } from './artifacts.js';
import { IRIS_FEATURES, IRIS_SPECIES, type IrisData } from './iris-data.js';
import { countCorrect, roundToFloat32, type Mlp } from './mlp.js';
import { mlpGraph } from './mlp-graph.js';
import { renderModelYaml, type ModelYaml } from './model-yaml.js';
import { encodeModel } from './onnx-graph.js';
import { fitStandardiser, foldStandardiser, standardise } from './standardisation.js';
import { trainMlp } from './trainer.js';

/**
 * Trains 4 → 16 ReLU → 3 softmax on all 150 rows (a demo, not a study: there is no
 * held-out split). Standardisation is folded in and weights are rounded to float32, so the
 * returned network is exactly what model.onnx holds.
 */
export function trainIrisModel(data: IrisData): Mlp {
  const standardiser = fitStandardiser(data.rows);
  const { mlp } = trainMlp(data.rows.map((row) => standardise(standardiser, row)), data.labels, {
    hidden: [16],
    classes: 3,
    epochs: 200,
    batchSize: 16,
    learningRate: 0.01,
    seed: 7,
  });
  const [first, ...rest] = mlp;
  if (!first) throw new Error('trainMlp returned no layers');
  return roundToFloat32([foldStandardiser(first, standardiser), ...rest]);
}

export function buildIris(data: IrisData): DemoModelArtifacts {
  const mlp = trainIrisModel(data);
  const correct = countCorrect(mlp, data.rows, data.labels);
  const graph = mlpGraph(mlp, { graphName: 'iris', input: 'input', output: 'probabilities' });
  const onnx = encodeModel(graph, {
    docString: 'Switchyard demo Iris classifier trained on Fisher\'s 150 flowers. Input in cm; output: class probabilities.',
    metadata: { labels: IRIS_SPECIES.join(','), features: IRIS_FEATURES.join(',') },
  });
  return {
    name: 'iris',
    modelYaml: renderModelYaml(irisConfig(), [
      'iris: species of an iris flower from four measurements in centimetres (Fisher, 1936; public domain).',
      'An MLP (4 -> 16 ReLU -> 3 softmax) trained by worker/demo-models on data/iris.csv.',
      `Accuracy on the 150 rows it was trained on: ${correct}/${data.rows.length}.`,
    ]),
    versions: [{ version: '1', onnx, metrics: { accuracy: correct / data.rows.length, correct } }],
  };
}

function irisConfig(): ModelYaml {
  return {
    maxBatchSize: 32,
    dynamicBatching: { maxQueueDelayMicroseconds: 500, maxQueueSize: 1024 },
    instances: 1,
    threads: { intraOp: 1, interOp: 1 },
    inputs: [{
      name: 'input',
      datatype: 'FP32',
      shape: [-1, 4],
      // Centimetres; the largest flower in the data is 7.9 cm, so 20 cm is generous.
      features: IRIS_FEATURES.map((name) => ({ name, min: 0, max: 20 })),
    }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3], labels: [...IRIS_SPECIES] }],
  };
}
