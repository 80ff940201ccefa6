import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { mulberry32, normal } from '../../../../worker/demo-models/random.js';
import { allClose } from './reference-onnx.js';
import { loadReference, openSession, runOrt, runReference } from './ort.js';

const IMAGE_DIMS = [3, 224, 224] as const;
const IMAGE_SIZE = 3 * 224 * 224;

/** A normalised image: standard normal pixels, like ImageNet inputs after mean/std normalisation. */
function randomImage(seed: number): Float32Array {
  const random = mulberry32(seed);
  return new Float32Array(IMAGE_SIZE).map(() => normal(random));
}

describe('bench-cnn demo model', () => {
  test('onnxruntime matches a naive TypeScript forward pass of the same weights, and stays well scaled', async () => {
    const path = join(await demoModelsDir(), 'bench-cnn', '1', 'model.onnx');
    const session = await openSession(path);
    assert.deepEqual(session.inputMetadata[0]?.isTensor && session.inputMetadata[0].shape, ['batch', ...IMAGE_DIMS]);

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
    const batch = new Float32Array(3 * IMAGE_SIZE);
    batch.set(a, 0);
    batch.set(b, IMAGE_SIZE);
    batch.set(a, 2 * IMAGE_SIZE);
    const out = await runOrt(session, 'image', batch, [3, ...IMAGE_DIMS], 'probabilities');
    const single = await runOrt(session, 'image', a, [1, ...IMAGE_DIMS], 'probabilities');
    assert.ok(allClose(out.subarray(0, 10), single).ok);
    assert.ok(allClose(out.subarray(20, 30), single).ok);
    assert.ok(!allClose(out.subarray(10, 20), single).ok, 'a different image gives a different answer');
  });
});
