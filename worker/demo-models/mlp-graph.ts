import { GraphBuilder, type Dim } from './onnx-graph.js';
import type { Mlp } from './mlp.js';

export interface MlpGraphNames {
  readonly graphName: string;
  readonly input: string;
  readonly output: string;
}

/**
 * The ONNX graph of an MLP: Gemm (transB=1) and Relu per hidden layer, Gemm and Softmax at
 * the end, over a dynamic batch dimension. Weights are stored as float32.
 */
export function mlpGraph(mlp: Mlp, names: MlpGraphNames): GraphBuilder {
  const graph = new GraphBuilder(names.graphName);
  const inputShape: Dim[] = ['batch', mlp[0]?.inputs ?? 0];
  let x = graph.input(names.input, inputShape);
  mlp.forEach((layer, l) => {
    const w = graph.initializer(`dense${l}.weight`, [layer.outputs, layer.inputs], Float32Array.from(layer.weights));
    const b = graph.initializer(`dense${l}.bias`, [layer.outputs], Float32Array.from(layer.bias));
    x = graph.node('Gemm', [x, w, b], { transB: 1 });
    if (l < mlp.length - 1) x = graph.node('Relu', [x]);
  });
  graph.node('Softmax', [x], { axis: -1 }, names.output);
  graph.output(names.output, ['batch', mlp[mlp.length - 1]?.outputs ?? 0]);
  return graph;
}
