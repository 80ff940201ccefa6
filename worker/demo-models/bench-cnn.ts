import type { DemoModelArtifacts } from './artifacts.js';
import { renderModelYaml, type ModelYaml } from './model-yaml.js';
import { encodeModel, GraphBuilder, type ValueType } from './onnx-graph.js';
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

/**
 * ImageNet's per-channel pixel mean and standard deviation (RGB, pixels scaled to 0..1): the
 * graph turns 8-bit pixels into the centred, unit-variance inputs its convolutions expect.
 */
export const PIXEL_MEAN = [0.485, 0.456, 0.406] as const;
export const PIXEL_STD = [0.229, 0.224, 0.225] as const;

/** TensorProto.DataType.FLOAT, the target of the pixels' Cast. */
const TO_FLOAT = 1;

/** (x / 255 − mean) / std per channel, as x · scale + shift on a [1, 3, 1, 1] broadcast. */
function normalisePixels(graph: GraphBuilder, pixels: string): string {
  const scale = graph.initializer('pixels.scale', [1, 3, 1, 1], Float32Array.from(PIXEL_STD, (std) => 1 / (255 * std)));
  const shift = graph.initializer('pixels.shift', [1, 3, 1, 1], Float32Array.from(PIXEL_MEAN, (mean, c) => -mean / PIXEL_STD[c]!));
  return graph.node('Add', [graph.node('Mul', [graph.node('Cast', [pixels], { to: TO_FLOAT }), scale]), shift]);
}

/** He-normal convolution weights [out, in, k, k] and small biases, drawn in graph order. */
function convWeights(random: Random, c: ConvLayer, gain: number): { weight: Float32Array; bias: Float32Array } {
  const fanIn = c.inChannels * c.kernel * c.kernel;
  return {
    weight: normalArray(random, c.outChannels * fanIn, gain * Math.sqrt(2 / fanIn)),
    bias: normalArray(random, c.outChannels, BIAS_STD),
  };
}

/**
 * The graph of bench-cnn with seeded random weights: image [batch, 3, 224, 224] → probabilities
 * [batch, 10]. `pixels` 'uint8' (the demo model) takes 8-bit pixels and normalises them in the
 * graph; 'float32' takes images already normalised (the benchmark's comparison of what the
 * wire format costs). The weights are the same either way.
 */
export function benchCnnGraph(plan: ResNetPlan = resnetPlan(), pixels: ValueType = 'uint8'): GraphBuilder {
  const random = mulberry32(SEED);
  const graph = new GraphBuilder('bench_cnn');
  const convolve = (x: string, c: ConvLayer, gain = 1): string => {
    const { weight, bias } = convWeights(random, c, gain);
    const w = graph.initializer(`${c.name}.weight`, [c.outChannels, c.inChannels, c.kernel, c.kernel], weight);
    const b = graph.initializer(`${c.name}.bias`, [c.outChannels], bias);
    const p = c.padding;
    return graph.node('Conv', [x, w, b], { kernel_shape: [c.kernel, c.kernel], strides: [c.stride, c.stride], pads: [p, p, p, p] });
  };

  let x = graph.input('image', ['batch', plan.imageChannels, plan.imageSize, plan.imageSize], pixels);
  if (pixels === 'uint8') x = normalisePixels(graph, x);
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

/**
 * bench-cnn as the demo repository holds it (8-bit pixels), or with `pixels` 'float32' the
 * same network taking normalised float32 images, as `bench-cnn-fp32` (built by bench:worker
 * only, to show what four bytes a pixel on the wire cost).
 */
export function buildBenchCnn(pixels: ValueType = 'uint8'): DemoModelArtifacts {
  const plan = resnetPlan();
  const cost = computeCost(plan);
  const gflops = (cost.flops / 1e9).toFixed(3);
  const name = pixels === 'uint8' ? 'bench-cnn' : 'bench-cnn-fp32';
  const onnx = encodeModel(benchCnnGraph(plan, pixels), {
    docString: `Switchyard benchmark CNN: ResNet-18 shape at half width, random weights, ${gflops} GFLOPs per 224×224 image.`,
    metadata: { labels: BENCH_CNN_CLASSES.join(','), gflops, parameters: String(cost.parameters) },
  });
  const input = pixels === 'uint8'
    ? ['Input: NCHW images of 224x224, 8-bit RGB pixels (150 KB an image, a quarter of float32);', 'the graph casts them and normalises each channel with ImageNet\'s mean and std.']
    : ['Input: NCHW float32 images of 224x224, already normalised (602 KB an image).'];
  return {
    name,
    modelYaml: renderModelYaml(benchCnnConfig(plan, pixels), [
      `${name}: a benchmark model, not a classifier. ResNet-18 shape at half width (stem 7x7/2 + max pool,`,
      '4 stages x 2 basic blocks of 32/64/128/256 channels, global average pool, FC to 10, softmax) with',
      'seeded random He-initialised weights.',
      ...input,
      `Cost per image: ${(cost.macs / 1e9).toFixed(3)} GMAC = ${gflops} GFLOPs (2 FLOPs per multiply-add,`,
      `convolutions and FC only); ${cost.parameters} parameters (${(cost.parameters * 4 / 2 ** 20).toFixed(1)} MiB as float32).`,
    ]),
    versions: [{ version: '1', onnx, metrics: { gflops: cost.flops / 1e9, gmacs: cost.macs / 1e9, parameters: cost.parameters } }],
  };
}

function benchCnnConfig(plan: ResNetPlan, pixels: ValueType): ModelYaml {
  return {
    maxBatchSize: 32,
    dynamicBatching: {
      // Two single-threaded sessions do as many images a second at batch 2 as at 32 (the raw
      // sweep of bench:worker), so a bigger batch buys only latency. Aiming for 4 or 8 also
      // keeps requests queued for the other instance: at batch 16, 32 clients sat in the two
      // running batches and an instance that finished waited for its clients' next uploads
      // (about 3 % more images a second at 32 clients with these sizes, 2026-11-25, AMD).
      preferredBatchSizes: [4, 8],
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
    inputs: [{ name: 'image', datatype: pixels === 'uint8' ? 'UINT8' : 'FP32', shape: [-1, plan.imageChannels, plan.imageSize, plan.imageSize] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, plan.fc.outputs], labels: BENCH_CNN_CLASSES }],
  };
}
