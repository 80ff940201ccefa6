import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateLabelledTransactions, generateTransactions, TRANSACTION_FEATURES } from '../../../../worker/demo-models/build.js';

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('generateTransactions', () => {
  test('rows have 30 features: time in two days, components, an amount in cents', () => {
    assert.equal(TRANSACTION_FEATURES.length, 30);
    for (const row of generateTransactions(500, { seed: 1 })) {
      assert.equal(row.length, 30);
      const time = row[0] as number;
      const amount = row[29] as number;
      assert.ok(Number.isInteger(time) && time >= 0 && time < 172_800);
      assert.ok(amount >= 0 && amount <= 25_691.16 && Math.abs(amount * 100 - Math.round(amount * 100)) < 1e-6);
      for (const v of row.slice(1, 29)) assert.ok(Math.abs(v) < 200);
    }
  });

  test('the same seed gives the same rows; another seed does not', () => {
    assert.deepEqual(generateTransactions(20, { seed: 7 }), generateTransactions(20, { seed: 7 }));
    assert.notDeepEqual(generateTransactions(20, { seed: 7 }), generateTransactions(20, { seed: 8 }));
  });

  test('PCA-like components: v1 spreads widest, v28 narrowest', () => {
    const rows = generateTransactions(4000, { seed: 3 });
    const std = (k: number) => Math.sqrt(mean(rows.map((r) => (r[k] as number) ** 2)));
    assert.ok(Math.abs(std(1) - 1.95) < 0.1, `v1 std ${std(1)}`);
    assert.ok(Math.abs(std(28) - 0.32) < 0.02, `v28 std ${std(28)}`);
  });

  test('drift raises amounts and the fraud share (about 13% → 25%)', () => {
    const original = generateLabelledTransactions(4000, { seed: 5 });
    const drifted = generateLabelledTransactions(4000, { seed: 5, drifted: true });
    const share = (labels: number[]) => mean(labels);
    assert.ok(Math.abs(share(original.labels) - 0.13) < 0.03, `original ${share(original.labels)}`);
    assert.ok(Math.abs(share(drifted.labels) - 0.25) < 0.03, `drifted ${share(drifted.labels)}`);
    const medianAmount = (rows: number[][]) => rows.map((r) => r[29] as number).sort((a, b) => a - b)[rows.length >> 1] as number;
    assert.ok(medianAmount(drifted.rows) > 1.3 * medianAmount(original.rows));
  });
});
