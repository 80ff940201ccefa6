import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type ort from 'onnxruntime-node';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { loadIris } from '../../../../worker/demo-models/build.js';
import { allClose, type RefModel } from './reference-onnx.js';
import { argmaxRows, flatten, loadReference, openSession, runOrt, runReference } from './ort.js';

describe('iris demo model', () => {
  const iris = loadIris();
  let session: ort.InferenceSession;
  let reference: RefModel;

  before(async () => {
    const path = join(await demoModelsDir(), 'iris', '1', 'model.onnx');
    session = await openSession(path);
    reference = await loadReference(path);
  });

  test('reads all 150 rows of the real data set, 50 per species', () => {
    assert.equal(iris.rows.length, 150);
    assert.deepEqual([0, 1, 2].map((c) => iris.labels.filter((l) => l === c).length), [50, 50, 50]);
  });

  test('classifies 148 of the 150 flowers correctly (≥ 0.95)', async () => {
    const out = await runOrt(session, 'input', flatten(iris.rows), [150, 4], 'probabilities');
    const correct = argmaxRows(out, 3).filter((c, i) => c === iris.labels[i]).length;
    assert.ok(correct / 150 >= 0.95);
    assert.equal(correct, 148);
  });

  test('onnxruntime matches the TypeScript forward pass of the same weights', async () => {
    const data = flatten(iris.rows);
    const actual = await runOrt(session, 'input', data, [150, 4], 'probabilities');
    const { ok, worst } = allClose(actual, runReference(reference, 'input', data, [150, 4], 'probabilities'));
    assert.ok(ok, worst);
  });
});
