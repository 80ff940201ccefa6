import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type ort from 'onnxruntime-node';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { allClose, type RefModel } from './reference-onnx.js';
import { argmaxRows, flatten, loadReference, openSession, runOrt, runReference } from './ort.js';

/** The band the fraud demo promises: v2 disagrees with v1 on 10–25% of current traffic (13.4% at build). */
const DISAGREEMENT_BAND = [0.10, 0.25] as const;

describe('fraud demo model', () => {
  const sessions: ort.InferenceSession[] = [];
  const references: RefModel[] = [];

  before(async () => {
    const dir = await demoModelsDir();
    for (const version of ['1', '2']) {
      const path = join(dir, 'fraud', version, 'model.onnx');
      sessions.push(await openSession(path));
      references.push(await loadReference(path));
    }
  });

  test('declares input [batch, 30] and output [batch, 2]', () => {
    for (const session of sessions) {
      assert.deepEqual(session.inputNames, ['input']);
      assert.deepEqual(session.outputNames, ['probabilities']);
      const input = session.inputMetadata[0];
      assert.ok(input?.isTensor);
      assert.deepEqual(input.shape, ['batch', 30]);
    }
  });

  test('onnxruntime matches the TypeScript forward pass of the same weights, both versions', async () => {
    const rows = [...generateTransactions(48, { seed: 11 }), ...generateTransactions(16, { seed: 12, drifted: true })];
    const data = flatten(rows);
    for (const [i, session] of sessions.entries()) {
      const actual = await runOrt(session, 'input', data, [rows.length, 30], 'probabilities');
      const expected = runReference(references[i] as RefModel, 'input', data, [rows.length, 30], 'probabilities');
      const { ok, worst } = allClose(actual, expected);
      assert.ok(ok, `v${i + 1}: ${worst}`);
    }
  });

  test(`v1 and v2 disagree on ${DISAGREEMENT_BAND[0] * 100}–${DISAGREEMENT_BAND[1] * 100}% of current traffic`, async () => {
    const rows = generateTransactions(2000, { seed: 2024 });
    const data = flatten(rows);
    const [v1, v2] = await Promise.all(sessions.map((s) => runOrt(s, 'input', data, [rows.length, 30], 'probabilities')));
    const classes1 = argmaxRows(v1 as Float32Array, 2);
    const classes2 = argmaxRows(v2 as Float32Array, 2);
    const rate = classes1.filter((c, i) => c !== classes2[i]).length / rows.length;
    assert.ok(rate >= DISAGREEMENT_BAND[0] && rate <= DISAGREEMENT_BAND[1], `disagreement ${rate}`);
    // Both versions flag some fraud, and neither flags most traffic.
    for (const classes of [classes1, classes2]) {
      const flagged = classes.filter((c) => c === 1).length / rows.length;
      assert.ok(flagged > 0.05 && flagged < 0.3, `flagged ${flagged}`);
    }
  });
});
