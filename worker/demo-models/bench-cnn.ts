import type { DemoModelArtifacts } from './artifacts.js';
import { renderModelYaml, type ModelYaml } from './model-yaml.js';
import { encodeModel, GraphBuilder } from './onnx-graph.js';
import { mulberry32, normalArray, type Random } from './random.js';
import { computeCost, resnetPlan, type ConvLayer, type ResNetPlan } from './resnet.js';

export const BENCH_CNN_CLASSES = Array.from({ length: 10 }, (_, i) => `class_${i}`);

/**
 * Scale of the second convolution in each residual block. With He initialisation each
 * branch keeps the variance of its input, so x + F(x) would double it per block (×256 over
 * 8 blocks); 0.5 makes it ×1.25 per block, about ×6 in all, and activations stay O(1).
 */
const RESIDUAL_BRANCH_SCALE = 0.5;
/** Biases are small so the test of bias handling is real but the ReLUs stay balanced. */
const BIAS_STD = 0.01;
const SEED = 2024;

/** He-normal convolution weights [out, in, k, k] and small biases, drawn in graph order. */
function convWeights(random: Random, c: ConvLayer, gain: number): { weight: Float32Array; bias: Float32Array } {
  const fanIn = c.inChannels * c.kernel * c.kernel;
  return {
    weight: normalArray(random, c.outChannels * fanIn, gain * Math.sqrt(2 / fanIn)),
    bias: normalArray(random, c.outChannels, BIAS_STD),
  };
}

/** The graph of bench-cnn with seeded random weights: image [batch, 3, 224, 224] → probabilities [batch, 10]. */
export function benchCnnGraph(plan: ResNetPlan = resnetPlan()): GraphBuilder {
  const random = mulberry32(SEED);
  const graph = new GraphBuilder('bench_cnn');
  const convolve = (x: string, c: ConvLayer, gain = 1): string => {
    const { weight, bias } = convWeights(random, c, gain);
    const w = graph.initializer(`${c.name}.weight`, [c.outChannels, c.inChannels, c.kernel, c.kernel], weight);
    const b = graph.initializer(`${c.name}.bias`, [c.outChannels], bias);
    const p = c.padding;
    return graph.node('Conv', [x, w, b], { kernel_shape: [c.kernel, c.kernel], strides: [c.stride, c.stride], pads: [p, p, p, p] });
  };

  let x = graph.input('image', ['batch', plan.imageChannels, plan.imageSize, plan.imageSize]);
  x = graph.node('Relu', [convolve(x, plan.stem)]);
  const { kernel, stride, padding } = plan.pool;
  x = graph.node('MaxPool', [x], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [padding, padding, padding, padding] });
  for (const block of plan.blocks) {
    const branch = convolve(graph.node('Relu', [convolve(x, block.conv1)]), block.conv2, RESIDUAL_BRANCH_SCALE);
    // The projection is linear (no ReLU follows it), so gain 1/√2 keeps its output variance equal to its input's.
    const shortcut = block.shortcut ? convolve(x, block.shortcut, Math.SQRT1_2) : x;
    x = graph.node('Relu', [graph.node('Add', [branch, shortcut])]);
  }
  x = graph.node('Flatten', [graph.node('GlobalAveragePool', [x])], { axis: 1 });
  const fcWeight = normalArray(random, plan.fc.outputs * plan.fc.inputs, Math.sqrt(1 / plan.fc.inputs));
  const w = graph.initializer('fc.weight', [plan.fc.outputs, plan.fc.inputs], fcWeight);
  const b = graph.initializer('fc.bias', [plan.fc.outputs], normalArray(random, plan.fc.outputs, BIAS_STD));
  graph.node('Softmax', [graph.node('Gemm', [x, w, b], { transB: 1 })], { axis: -1 }, 'probabilities');
  graph.output('probabilities', ['batch', plan.fc.outputs]);
  return graph;
}

export function buildBenchCnn(): DemoModelArtifacts {
  const plan = resnetPlan();
  const cost = computeCost(plan);
  const gflops = (cost.flops / 1e9).toFixed(3);
  const onnx = encodeModel(benchCnnGraph(plan), {
    docString: `Switchyard benchmark CNN: ResNet-18 shape at half width, random weights, ${gflops} GFLOPs per 224×224 image.`,
    metadata: { labels: BENCH_CNN_CLASSES.join(','), gflops, parameters: String(cost.parameters) },
  });
  return {
    name: 'bench-cnn',
    modelYaml: renderModelYaml(benchCnnConfig(plan), [
      'bench-cnn: a benchmark model, not a classifier. ResNet-18 shape at half width (stem 7x7/2 + max pool,',
      '4 stages x 2 basic blocks of 32/64/128/256 channels, global average pool, FC to 10, softmax) with',
      'seeded random He-initialised weights. Input: NCHW float32 images of 224x224.',
      `Cost per image: ${(cost.macs / 1e9).toFixed(3)} GMAC = ${gflops} GFLOPs (2 FLOPs per multiply-add,`,
      `convolutions and FC only); ${cost.parameters} parameters (${(cost.parameters * 4 / 2 ** 20).toFixed(1)} MiB as float32).`,
    ]),
    versions: [{ version: '1', onnx, metrics: { gflops: cost.flops / 1e9, gmacs: cost.macs / 1e9, parameters: cost.parameters } }],
  };
}

function benchCnnConfig(plan: ResNetPlan): ModelYaml {
  return {
    maxBatchSize: 32,
    dynamicBatching: {
      // Convolutions run most efficiently at these sizes; the batcher aims for them.
      preferredBatchSizes: [8, 16, 32],
      // 2 ms (in µs): small next to the ~tens of ms a batch of images takes on CPU.
      maxQueueDelayMicroseconds: 2000,
      maxQueueSize: 256,
    },
    // Two single-threaded sessions rather than one with two threads: under load a preempted
    // thread of a two-threaded run stalls its partner at every operator, while independent
    // sessions just each go a little slower. Measured on 2 cores at 32 clients: about 10 %
    // more images per second; one client alone waits longer (13 instead of 9 ms at p50),
    // since an image no longer gets both cores. See docs/BENCHMARKS.md, Worker.
    instances: 2,
    threads: { intraOp: 1, interOp: 1 },
    inputs: [{ name: 'image', datatype: 'FP32', shape: [-1, plan.imageChannels, plan.imageSize, plan.imageSize] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, plan.fc.outputs], labels: BENCH_CNN_CLASSES }],
  };
}
