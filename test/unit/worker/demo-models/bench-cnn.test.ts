import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { benchCnnGraph, PIXEL_MEAN, PIXEL_STD } from '../../../../worker/demo-models/bench-cnn.js';
import { encodeModel } from '../../../../worker/demo-models/onnx-graph.js';
import { mulberry32 } from '../../../../worker/demo-models/random.js';
import { allClose } from './reference-onnx.js';
import { loadReference, openSession, runOrt, runReference } from './ort.js';

const IMAGE_DIMS = [3, 224, 224] as const;
const IMAGE_SIZE = 3 * 224 * 224;

/** An image of uniformly random 8-bit pixels, as bench-cnn takes them. */
function randomImage(seed: number): Uint8Array {
  const random = mulberry32(seed);
  return new Uint8Array(IMAGE_SIZE).map(() => Math.floor(random() * 256));
}

describe('bench-cnn demo model', () => {
  test('onnxruntime matches a naive TypeScript forward pass of the same weights, and stays well scaled', async () => {
    const path = join(await demoModelsDir(), 'bench-cnn', '1', 'model.onnx');
    const session = await openSession(path);
    const input = session.inputMetadata[0];
    assert.deepEqual(input?.isTensor && [input.type, input.shape], ['uint8', ['batch', ...IMAGE_DIMS]]);

    const image = randomImage(5);
    const actual = await runOrt(session, 'image', image, [1, ...IMAGE_DIMS], 'probabilities');
    // About 0.48 GMAC in plain loops: the slowest test here (~2 s).
    const expected = runReference(await loadReference(path), 'image', image, [1, ...IMAGE_DIMS], 'probabilities');
    const { ok, worst } = allClose(actual, expected);
    assert.ok(ok, worst);

    // Activations neither explode (one class near 1) nor vanish (all classes near 0.1).
    const max = Math.max(...actual);
    const min = Math.min(...actual);
    assert.ok(max < 0.9 && max - min > 0.05, `probabilities ${Array.from(actual).join(', ')}`);
  });

  test('rows of a batch are independent: the same image gives the same answer at any position', async () => {
    const session = await openSession(join(await demoModelsDir(), 'bench-cnn', '1', 'model.onnx'));
    const a = randomImage(1);
    const b = randomImage(2);
    const batch = new Uint8Array(3 * IMAGE_SIZE);
    batch.set(a, 0);
    batch.set(b, IMAGE_SIZE);
    batch.set(a, 2 * IMAGE_SIZE);
    const out = await runOrt(session, 'image', batch, [3, ...IMAGE_DIMS], 'probabilities');
    const single = await runOrt(session, 'image', a, [1, ...IMAGE_DIMS], 'probabilities');
    assert.ok(allClose(out.subarray(0, 10), single).ok);
    assert.ok(allClose(out.subarray(20, 30), single).ok);
    assert.ok(!allClose(out.subarray(10, 20), single).ok, 'a different image gives a different answer');
  });

  test('8-bit pixels are normalised in the graph: same answer as the float32 network fed (x / 255 - mean) / std', async () => {
    const path = join(await demoModelsDir(), 'bench-cnn', '1', 'model.onnx');
    const pixels = await openSession(path);
    const floats = await openSession(encodeModel(benchCnnGraph(undefined, 'float32'), { docString: 'bench-cnn, float32 input' }));
    const image = randomImage(9);
    const plane = 224 * 224;
    const normalised = Float32Array.from(image, (v, i) => {
      const c = Math.floor(i / plane);
      return (v / 255 - PIXEL_MEAN[c]!) / PIXEL_STD[c]!;
    });
    const fromPixels = await runOrt(pixels, 'image', image, [1, ...IMAGE_DIMS], 'probabilities');
    const fromFloats = await runOrt(floats, 'image', normalised, [1, ...IMAGE_DIMS], 'probabilities');
    const { ok, worst } = allClose(fromPixels, fromFloats);
    assert.ok(ok, worst);
  });
});
