/**
 * The layer plan of bench-cnn, a ResNet-18-shaped network at half width: a 7×7 stride-2
 * stem and 3×3 stride-2 max pool, four stages of two basic blocks (32, 64, 128, 256
 * channels; stride 2 and a 1×1 projection at the start of stages 2 to 4), global average
 * pool and a 10-way classifier. Batch norm is left out: with random weights it would be an
 * identity, and inference engines fold it into the convolutions anyway.
 */
export interface ConvLayer {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  /** Height = width of the input feature map, in pixels. */
  readonly inputSize: number;
  readonly outputSize: number;
}

export interface BasicBlock {
  readonly conv1: ConvLayer;
  readonly conv2: ConvLayer;
  /** A 1×1 projection when the block changes shape; identity otherwise. */
  readonly shortcut?: ConvLayer;
}

export interface DenseSpec {
  readonly name: string;
  readonly inputs: number;
  readonly outputs: number;
}

export interface ResNetPlan {
  readonly imageSize: number;
  readonly imageChannels: number;
  readonly stem: ConvLayer;
  readonly pool: { readonly kernel: number; readonly stride: number; readonly padding: number; readonly outputSize: number };
  readonly blocks: readonly BasicBlock[];
  readonly fc: DenseSpec;
}

export interface ResNetOptions {
  readonly imageSize: number;
  readonly stemChannels: number;
  readonly stageChannels: readonly number[];
  readonly blocksPerStage: number;
  readonly classes: number;
}

export const BENCH_CNN_OPTIONS: ResNetOptions = {
  imageSize: 224,
  stemChannels: 32,
  stageChannels: [32, 64, 128, 256],
  blocksPerStage: 2,
  classes: 10,
};

/** Output size of a convolution or pooling window, in pixels. */
export function outputSize(input: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((input + 2 * padding - kernel) / stride) + 1;
}

function conv(name: string, inChannels: number, outChannels: number, kernel: number, stride: number, inputSize: number): ConvLayer {
  // "Same" padding for odd kernels: the output is the input divided by the stride.
  const padding = (kernel - 1) / 2;
  return { name, inChannels, outChannels, kernel, stride, padding, inputSize, outputSize: outputSize(inputSize, kernel, stride, padding) };
}

export function resnetPlan(options: ResNetOptions = BENCH_CNN_OPTIONS): ResNetPlan {
  const stem = conv('stem', 3, options.stemChannels, 7, 2, options.imageSize);
  const pool = { kernel: 3, stride: 2, padding: 1, outputSize: outputSize(stem.outputSize, 3, 2, 1) };
  const blocks: BasicBlock[] = [];
  let channels = options.stemChannels;
  let size = pool.outputSize;
  options.stageChannels.forEach((width, s) => {
    for (let b = 0; b < options.blocksPerStage; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const name = `stage${s + 1}.block${b + 1}`;
      const conv1 = conv(`${name}.conv1`, channels, width, 3, stride, size);
      const conv2 = conv(`${name}.conv2`, width, width, 3, 1, conv1.outputSize);
      const needsProjection = stride !== 1 || channels !== width;
      blocks.push(needsProjection ? { conv1, conv2, shortcut: conv(`${name}.shortcut`, channels, width, 1, stride, size) } : { conv1, conv2 });
      channels = width;
      size = conv1.outputSize;
    }
  });
  return {
    imageSize: options.imageSize,
    imageChannels: 3,
    stem,
    pool,
    blocks,
    fc: { name: 'fc', inputs: channels, outputs: options.classes },
  };
}

/** Every convolution in graph order. */
export function convLayers(plan: ResNetPlan): ConvLayer[] {
  return [plan.stem, ...plan.blocks.flatMap((b) => (b.shortcut ? [b.conv1, b.conv2, b.shortcut] : [b.conv1, b.conv2]))];
}

export interface ComputeCost {
  /** Multiply-adds per image in convolutions and the classifier (ReLU, add and pooling are left out, as is usual). */
  readonly macs: number;
  /** 2 FLOPs per multiply-add. */
  readonly flops: number;
  /** Weights and biases. */
  readonly parameters: number;
}

export function computeCost(plan: ResNetPlan): ComputeCost {
  let macs = plan.fc.inputs * plan.fc.outputs;
  let parameters = plan.fc.inputs * plan.fc.outputs + plan.fc.outputs;
  for (const c of convLayers(plan)) {
    const weights = c.outChannels * c.inChannels * c.kernel * c.kernel;
    macs += weights * c.outputSize * c.outputSize;
    parameters += weights + c.outChannels;
  }
  return { macs, flops: 2 * macs, parameters };
}
