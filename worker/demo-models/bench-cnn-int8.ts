import ort from 'onnxruntime-node';
import type { DemoModelArtifacts } from './artifacts.js';
import { buildBenchCnn, benchCnnGraph } from './bench-cnn.js';
import { encodeModel } from './onnx-graph.js';
import { quantizeConvs, type Range } from './quantize.js';
import { mulberry32 } from './random.js';

/** Calibration images: 8-bit pixels uniform in 0..255, like the benchmark's inputs. Seeded. */
const CALIBRATION_IMAGES = 4;
const CALIBRATION_SEED = 4242;

/** Images of the calibration set, [n, 3, 224, 224] flattened. */
export function calibrationImages(n: number, seed = CALIBRATION_SEED): Uint8Array {
  const random = mulberry32(seed);
  return Uint8Array.from({ length: n * 3 * 224 * 224 }, () => Math.floor(random() * 256));
}

/**
 * bench-cnn-int8: bench-cnn's weights quantized to INT8 (QDQ, per-channel weights, uint8
 * activations) after calibrating every convolution's input and output range on a few images
 * with onnxruntime. A model of its own (not version 2 of bench-cnn), so requests for
 * bench-cnn keep getting the FP32 network and the benchmark can load both side by side.
 */
export async function buildBenchCnnInt8(): Promise<DemoModelArtifacts> {
  const fp32 = benchCnnGraph();
  const probe = benchCnnGraph();
  const names = new Set<string>();
  for (const n of probe.nodes) {
    if (n.opType !== 'Conv') continue;
    // The first convolution reads the normalised pixels, so every Conv input is calibrated.
    names.add(n.inputs[0]!);
    names.add(n.outputs[0]!);
  }
  for (const name of names) probe.output(name, undefined);
  const session = await ort.InferenceSession.create(encodeModel(probe, { docString: 'calibration' }), { intraOpNumThreads: 2, interOpNumThreads: 1 });
  const images = calibrationImages(CALIBRATION_IMAGES);
  const ranges = new Map<string, Range>();
  try {
    const result = await session.run({ image: new ort.Tensor('uint8', images, [CALIBRATION_IMAGES, 3, 224, 224]) });
    for (const name of names) {
      const data = result[name]!.data as Float32Array;
      let min = Infinity;
      let max = -Infinity;
      for (const v of data) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      ranges.set(name, { min, max });
    }
  } finally {
    await session.release();
  }
  const base = buildBenchCnn();
  const onnx = encodeModel(quantizeConvs(fp32, ranges), {
    docString: 'Switchyard benchmark CNN, INT8: bench-cnn with QDQ static quantization (int8 per-channel weights, uint8 activations, calibrated on 4 seeded images).',
    metadata: { quantization: 'qdq-static-int8', calibrationImages: String(CALIBRATION_IMAGES) },
  });
  return {
    name: 'bench-cnn-int8',
    modelYaml: base.modelYaml.replace(/^# bench-cnn:/m, '# bench-cnn-int8: bench-cnn quantized to INT8 (QDQ; onnxruntime runs QLinearConv). Same signature.\n# bench-cnn:'),
    versions: [{ version: '1', onnx, metrics: { calibrationImages: CALIBRATION_IMAGES } }],
  };
}
