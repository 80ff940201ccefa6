/**
 * The edges of ratio metrics, CUPED and capping (the figures themselves are checked against R
 * through both stores, test/integration/gateway/experiments/store-metric-kinds-suite.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantileType7 } from '../../../../../gateway/experiments/statistics/capping.js';
import { computeResults } from '../../../../../gateway/experiments/statistics/results.js';
import type { ExperimentDefinition, MetricDefinition } from '../../../../../gateway/experiments/statistics/types.js';
import { createMemoryExperimentStore } from '../../../../../gateway/experiments/store/memory.js';
import type { Outcome } from '../../../../../gateway/experiments/store/store.js';

const definition = (metrics: MetricDefinition[]): ExperimentDefinition => ({
  id: 'kinds', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }], metrics,
});

/** Exposes each unit in its arm and posts its outcomes; returns the store's summary and units. */
async function record(rows: { unit: string; variant: string; values: Record<string, number> }[]) {
  const store = createMemoryExperimentStore();
  for (const row of rows) {
    await store.recordExposure('kinds', row.variant, row.unit);
    const outcomes: Outcome[] = Object.entries(row.values).map(([metric, value]) => ({ unit: row.unit, variant: row.variant, metric, value }));
    if (outcomes.length > 0) await store.recordOutcomes('kinds', outcomes);
  }
  return { summary: await store.summary('kinds'), units: await store.exportUnits('kinds') };
}

describe('metric kinds at the edges', () => {
  it('takes the percentile as R quantile(type = 7) does', () => {
    // sprintf('%.17g', quantile(c(1, 2, 4, 8), c(0, 0.5, 0.9, 1))) in R: 1, 3, 6.8000000000000007, 8.
    assert.deepEqual([0, 0.5, 0.9, 1].map((p) => quantileType7([1, 2, 4, 8], p)), [1, 3, 6.8000000000000007, 8]);
    assert.equal(quantileType7([5], 0.99), 5);
  });

  it('gives a ratio no test where an arm has no denominator, and says why', async () => {
    const { summary } = await record([
      { unit: 'c1', variant: 'control', values: { revenue: 3 } }, { unit: 'c2', variant: 'control', values: { revenue: 4 } },
      { unit: 't1', variant: 'treatment', values: { revenue: 5, sessions: 2 } }, { unit: 't2', variant: 'treatment', values: { revenue: 1, sessions: 1 } },
    ]);
    const results = computeResults(definition([
      { name: 'rps', kind: 'ratio', numerator: 'revenue', denominator: 'sessions' }, { name: 'revenue', kind: 'mean' }, { name: 'sessions', kind: 'mean' },
    ]), summary);
    const rps = results.metrics[0]!;
    assert.deepEqual(rps.variants.map((v) => [v.variant, v.n, v.mean]), [['control', 0, null], ['treatment', 2, 2]]);
    assert.deepEqual([rps.comparisons[0]!.test, rps.comparisons[0]!.difference], [null, { estimate: null, ci: null }]);
    assert.ok(results.warnings.includes('rps, treatment vs control: no test: control has no sessions (its total is 0), so the ratio revenue/sessions is undefined there.'), results.warnings.join('\n'));
  });

  it('leaves a CUPED metric unadjusted, and says so, when no unit posted the covariate', async () => {
    const values = [[1, 'control', 3], [2, 'control', 5], [3, 'control', 4], [4, 'treatment', 6], [5, 'treatment', 9], [6, 'treatment', 7]] as const;
    const { summary } = await record(values.map(([i, variant, revenue]) => ({ unit: `u${i}`, variant, values: { revenue } })));
    const adjusted = computeResults(definition([{ name: 'revenue', kind: 'mean', cuped: { covariate: 'pre' } }, { name: 'pre', kind: 'covariate' }]), summary);
    const plain = computeResults(definition([{ name: 'revenue', kind: 'mean' }]), summary);
    const comparison = adjusted.metrics[0]!.comparisons[0]!;
    assert.equal(comparison.cuped, undefined);
    assert.deepEqual(comparison.test, plain.metrics[0]!.comparisons[0]!.test);
    assert.ok(adjusted.warnings.includes("revenue, treatment vs control: not adjusted by CUPED: covariate 'pre' has no variance in these arms (posted for no unit, or the same value for all)."));
  });

  it('reports a percentile cap of null and nothing capped before any unit has an outcome, and refuses to cap without the units', async () => {
    const { summary, units } = await record([{ unit: 'c1', variant: 'control', values: {} }, { unit: 't1', variant: 'treatment', values: {} }]);
    const capped = definition([{ name: 'revenue', kind: 'mean', cap: { percentile: 0.99 } }]);
    assert.deepEqual(computeResults(capped, summary, { units }).metrics[0]!.capping, { method: 'percentile', percentile: 0.99, cap: null, cappedUnits: { control: 0, treatment: 0 } });
    assert.throws(() => computeResults(capped, summary), /^Error: metric 'revenue' is capped: computeResults needs the units' totals \(options\.units\)$/);
  });
});
