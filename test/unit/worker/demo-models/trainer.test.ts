import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countCorrect, predictProbabilities } from '../../../../worker/demo-models/mlp.js';
import { mulberry32, normal } from '../../../../worker/demo-models/random.js';
import { fitStandardiser, foldStandardiser, standardise } from '../../../../worker/demo-models/standardisation.js';
import { trainMlp } from '../../../../worker/demo-models/trainer.js';

/** Two classes split by a circle of radius 1: needs the hidden layer, a linear model cannot. */
function ring(count: number, seed: number): { rows: number[][]; labels: number[] } {
  const random = mulberry32(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const row = [normal(random), normal(random)];
    rows.push(row);
    labels.push(Math.hypot(row[0] as number, row[1] as number) < 1 ? 1 : 0);
  }
  return { rows, labels };
}

const OPTIONS = { hidden: [16], classes: 2, epochs: 30, batchSize: 32, learningRate: 0.02, seed: 3 };

describe('trainMlp', () => {
  test('learns a non-linear boundary (a ring) to ≥ 95% on held-out rows', () => {
    const train = ring(1000, 1);
    const holdout = ring(500, 2);
    const { mlp, finalLoss } = trainMlp(train.rows, train.labels, OPTIONS);
    assert.ok(finalLoss < 0.15, `loss ${finalLoss}`);
    assert.ok(countCorrect(mlp, holdout.rows, holdout.labels) >= 475);
  });

  test('is deterministic for a seed and differs across seeds', () => {
    const data = ring(200, 1);
    const a = trainMlp(data.rows, data.labels, { ...OPTIONS, epochs: 2 });
    const b = trainMlp(data.rows, data.labels, { ...OPTIONS, epochs: 2 });
    const c = trainMlp(data.rows, data.labels, { ...OPTIONS, epochs: 2, seed: 4 });
    assert.deepEqual(a.mlp[0]?.weights, b.mlp[0]?.weights);
    assert.notDeepEqual(a.mlp[0]?.weights, c.mlp[0]?.weights);
  });
});

describe('foldStandardiser', () => {
  test('the folded layer on raw rows equals the original layer on standardised rows', () => {
    // Features on very different scales, like seconds and euros next to PCA components.
    const rows = [[86_400, 0.5, 120], [3_600, -1.2, 4.5], [170_000, 0.1, 999]];
    const labels = [0, 1, 0];
    const standardiser = fitStandardiser(rows);
    const { mlp } = trainMlp(rows.map((r) => standardise(standardiser, r)), labels, { ...OPTIONS, epochs: 3 });
    const folded = [foldStandardiser(mlp[0]!, standardiser), ...mlp.slice(1)];
    for (const row of rows) {
      const expected = predictProbabilities(mlp, standardise(standardiser, row));
      const actual = predictProbabilities(folded, row);
      for (let c = 0; c < 2; c++) assert.ok(Math.abs((actual[c] as number) - (expected[c] as number)) < 1e-12);
    }
  });
});
