import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mean, sampleVariance } from 'simple-statistics';
import { createMemoryExperimentStore } from '../../../../../gateway/experiments/store/memory.js';
import type { ExperimentSummary, MetricMoments } from '../../../../../gateway/experiments/store/store.js';
import { twoProportionZTest, welchTest } from '../../../../../gateway/experiments/statistics/compare.js';
import { zQuantile } from '../../../../../gateway/experiments/statistics/distributions.js';
import { scoreDifferenceInterval } from '../../../../../gateway/experiments/statistics/score-interval.js';
import { holmAdjust } from '../../../../../gateway/experiments/statistics/multiple-comparisons.js';
import { computeResults } from '../../../../../gateway/experiments/statistics/results.js';
import type { ExperimentDefinition } from '../../../../../gateway/experiments/statistics/types.js';
import { assertClose } from '../assert-close.js';

const definition: ExperimentDefinition = {
  id: 'ranker-2026-11',
  variants: [{ name: 'treatment', weight: 50 }, { name: 'control', weight: 50 }],
  metrics: [{ name: 'clicked', kind: 'proportion' }, { name: 'revenue', kind: 'mean' }],
};

/** Units with a 0/1 value: only the 1s are posted, as a client would. */
function rate(successes: number): MetricMoments {
  return { n: successes, mean: 1, variance: successes < 2 ? null : 0, sum: successes };
}

function summary(control: [number, number], treatment: [number, number], revenue?: MetricMoments): ExperimentSummary {
  return {
    variants: {
      control: { exposures: control[0], metrics: { clicked: rate(control[1]), ...(revenue && { revenue }) } },
      treatment: { exposures: treatment[0], metrics: { clicked: rate(treatment[1]), ...(revenue && { revenue }) } },
    },
  };
}

describe('computeResults', () => {
  it('counts exposed units without outcomes as zeros, exactly as the raw per-unit rows give', async () => {
    const store = createMemoryExperimentStore();
    const rows: Record<string, number[]> = { control: [], treatment: [] };
    for (let i = 0; i < 400; i++) {
      const variant = i % 2 === 0 ? 'control' : 'treatment';
      const unit = `u${i}`;
      await store.recordExposure('e', variant, unit);
      const value = i % 5 === 0 ? 0 : i % 7 === 0 ? 20 + (i % 13) : i % 3 === 0 ? 0.5 * i : 0; // many units never buy
      if (value !== 0) await store.recordOutcomes('e', [{ unit, variant, metric: 'revenue', value }]);
      rows[variant]!.push(value);
    }
    const results = computeResults(definition, await store.summary('e'));
    const revenue = results.metrics.find((m) => m.name === 'revenue')!;
    for (const v of revenue.variants) {
      assert.equal(v.n, 200);
      assertClose(v.mean, mean(rows[v.variant]!), 1e-12, `${v.variant} mean`);
      assertClose(v.sd, Math.sqrt(sampleVariance(rows[v.variant]!)), 1e-12, `${v.variant} sd`);
    }
    const expected = welchTest(
      { n: 200, mean: mean(rows.treatment!), variance: sampleVariance(rows.treatment!) },
      { n: 200, mean: mean(rows.control!), variance: sampleVariance(rows.control!) }, 0.05)!;
    const test = revenue.comparisons[0]!.test!;
    assert.equal(test.method, 'welch-t');
    assertClose(test.statistic, expected.t, 1e-9, 't');
    assertClose(test.pValue, expected.pValue, 1e-9, 'p');
  });

  it('reports tests, Holm-adjusted p-values and a ship recommendation as plain JSON', () => {
    const revenue = { n: 500, mean: 40, variance: 900, sum: 20000 };
    const results = computeResults(definition, summary([10000, 1000], [10000, 1200], revenue));
    assert.deepEqual(JSON.parse(JSON.stringify(results)), results);
    assert.equal(results.control, 'control');
    assert.deepEqual(results.intervals.kind, 'fixed-horizon');
    assert.deepEqual(results.sampleRatio, {
      observed: { treatment: 10000, control: 10000 }, expected: { treatment: 10000, control: 10000 }, chiSquare: 0, df: 1, pValue: 1, mismatch: false,
    });
    const clicked = results.metrics[0]!;
    assert.deepEqual(clicked.variants.map((v) => [v.variant, v.n, v.mean]), [['treatment', 10000, 0.12], ['control', 10000, 0.1]]);
    const z = twoProportionZTest({ successes: 1200, n: 10000 }, { successes: 1000, n: 10000 })!;
    const c = clicked.comparisons[0]!;
    assert.deepEqual(c.test, { method: 'two-proportion-z', statistic: z.z, pValue: z.pValue });
    assert.deepEqual(c.difference, { estimate: z.difference, ci: scoreDifferenceInterval({ successes: 1200, n: 10000 }, { successes: 1000, n: 10000 }, zQuantile(0.975)) });
    assertClose(c.relativeLift!.estimate, 0.2, 1e-12, 'lift');
    // Both metrics have identical revenue arms, so their p-value is 1; Holm over two tests.
    assert.deepEqual(results.correction, { method: 'holm', comparisons: 2 });
    assert.deepEqual([c.adjustedPValue, results.metrics[1]!.comparisons[0]!.adjustedPValue], holmAdjust([z.pValue, 1]));
    assert.equal(c.verdict, 'better');
    assert.equal(results.metrics[1]!.comparisons[0]!.verdict, 'inconclusive');
    // Significant, but a fixed-horizon test read before its planned 57 763 units per variant.
    assert.deepEqual(results.recommendation, {
      action: 'keep collecting', variant: null, unitsStillNeeded: { treatment: 47763, control: 47763 },
      reason: 'treatment is significant on clicked at 10000 of 57763 planned units per variant; reading a fixed-horizon test early inflates false positives; keep collecting, or set sequential: true to read results at any look.',
    });
    const planned = computeResults(definition, summary([60000, 6000], [60000, 7200], revenue));
    const p = planned.metrics[0]!.comparisons[0]!.adjustedPValue!;
    assert.deepEqual(planned.recommendation, {
      action: 'ship', variant: 'treatment', unitsStillNeeded: null,
      reason: `treatment is significantly better than control on clicked (+20 % relative, adjusted p = ${p.toPrecision(3)}).`,
    });
  });

  it('says investigate when exposures do not match the weights, whatever the metrics say', () => {
    const results = computeResults(definition, summary([10000, 1000], [10600, 1300]));
    assert.equal(results.sampleRatio.mismatch, true);
    assertClose(results.sampleRatio.chiSquare, (300 ** 2 / 10300) * 2, 1e-12, 'chi-square');
    assert.equal(results.recommendation.action, 'investigate');
    assert.match(results.warnings[0]!, /^Sample ratio mismatch: .* results are not trustworthy\.$/);
  });

  it('keeps control when the treatment is significantly worse, honouring the metric\'s goal', () => {
    assert.equal(computeResults(definition, summary([10000, 1200], [10000, 1000])).recommendation.action, 'keep control');
    const lowerIsBetter = { ...definition, metrics: [{ name: 'clicked', kind: 'proportion' as const, goal: 'decrease' as const }] };
    const results = computeResults(lowerIsBetter, summary([10000, 1200], [10000, 1000]));
    assert.equal(results.metrics[0]!.comparisons[0]!.verdict, 'better');
    assert.equal(results.recommendation.action, 'keep collecting');
    // Always-valid intervals may be acted on at any look.
    const sequential = computeResults(lowerIsBetter, summary([10000, 1200], [10000, 1000]), { sequential: true });
    assert.equal(sequential.metrics[0]!.comparisons[0]!.verdict, 'better');
    assert.equal(sequential.recommendation.action, 'ship');
  });

  it('keeps collecting with the units still needed, then keeps control at the planned size', () => {
    // Baseline 10 %, 5 % relative MDE, α 0.05, power 0.8: 57 762.65 → 57 763 units per variant
    // (Fleiss formula evaluated with Python's statistics.NormalDist).
    const early = computeResults(definition, summary([2000, 200], [2000, 205]));
    assert.equal(early.sampleSize.unitsPerVariant, 57763);
    assert.deepEqual(early.recommendation, {
      action: 'keep collecting', variant: null, unitsStillNeeded: { treatment: 55763, control: 55763 },
      reason: 'No significant difference on clicked yet. Detecting a 5 % relative change needs 57763 units per variant: up to 55763 more.',
    });
    const done = computeResults(definition, summary([60000, 6000], [60000, 6010]));
    assert.equal(done.recommendation.action, 'keep control');
    assert.equal(done.recommendation.reason, 'No significant difference on clicked after the planned 57763 units per variant: any effect is likely smaller than the 5 % minimum detectable effect.');
  });

  it('reports always-valid intervals, wider than fixed-horizon ones, when sequential', () => {
    const input = summary([10000, 1000], [10000, 1100]);
    const fixed = computeResults(definition, input).metrics[0]!.comparisons[0]!;
    const sequential = computeResults(definition, input, { sequential: true });
    const s = sequential.metrics[0]!.comparisons[0]!;
    assert.equal(sequential.intervals.kind, 'always-valid');
    assert.equal(s.test!.method, 'always-valid-mixture');
    assert.equal(s.difference.estimate, fixed.difference.estimate);
    assert.ok(s.difference.ci![0] < fixed.difference.ci![0] && s.difference.ci![1] > fixed.difference.ci![1]);
    assert.ok(s.test!.pValue > fixed.test!.pValue);
  });

  it('gives JSON without NaN for an experiment with no data yet', () => {
    const results = computeResults(definition, { variants: {} });
    assert.deepEqual(JSON.parse(JSON.stringify(results)), results);
    assert.deepEqual(results.metrics[1]!.variants[0], { variant: 'treatment', n: 0, mean: null, sd: null, ci: null });
    assert.equal(results.sampleRatio.pValue, null);
    assert.equal(results.recommendation.action, 'keep collecting');
  });
});
