/**
 * One coherent test per comparison, and figures that stay honest at the edges: intervals in
 * range, empty arms null, degenerate comparisons explained in `warnings`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareArms } from '../../../../../gateway/experiments/statistics/compare-arms.js';
import { computeResults } from '../../../../../gateway/experiments/statistics/results.js';
import type { ExperimentDefinition } from '../../../../../gateway/experiments/statistics/types.js';
import type { MetricMoments } from '../../../../../gateway/experiments/store/store.js';
import { seededRandom } from '../random.js';

const definition: ExperimentDefinition = {
  id: 'edges',
  variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }],
  metrics: [{ name: 'clicked', kind: 'proportion' }, { name: 'revenue', kind: 'mean' }],
};
const settings = (sequential: boolean) => ({ alpha: 0.05, sequential, sequentialTuningUnits: 5000 });
const rate = (successes: number, n: number) => ({ n, mean: successes / n, variance: 0, sum: successes });

function summary(arms: Record<string, { exposures: number; clicked?: MetricMoments; revenue?: MetricMoments }>) {
  return { variants: Object.fromEntries(Object.entries(arms).map(([name, a]) => [name, { exposures: a.exposures, metrics: { ...(a.clicked && { clicked: a.clicked }), ...(a.revenue && { revenue: a.revenue }) } }])) };
}

describe('comparisons at the edges', () => {
  it('keeps a difference of proportions within [-1, 1]: 0/3 against 2/3', () => {
    for (const sequential of [false, true]) {
      const c = compareArms('proportion', rate(0, 3), rate(2, 3), settings(sequential));
      assert.ok(c.difference.ci![0] >= -1 && c.difference.ci![1] <= 1, `${sequential}: ${c.difference.ci}`);
    }
    const flipped = compareArms('proportion', rate(2, 3), rate(0, 3), settings(false));
    assert.ok(flipped.difference.ci![0] > -1 && flipped.difference.ci![1] <= 1, `${flipped.difference.ci}`);
    assert.equal(flipped.relativeLift, null);
    assert.deepEqual(flipped.notes, ['the control mean is 0, so there is no relative lift; read the difference']);
  });

  it('gives null intervals and a stated reason for degenerate comparisons, never a zero-width interval', () => {
    const cases: [string, Parameters<typeof compareArms>, string][] = [
      ['one unit', ['mean', { n: 1, mean: 3, variance: 0, sum: 3 }, { n: 10, mean: 2, variance: 1, sum: 20 }, settings(false)], 'no test: treatment has 1 unit and a comparison needs at least 2 per arm'],
      ['zero variance', ['mean', { n: 10, mean: 2, variance: 1, sum: 20 }, { n: 10, mean: 5, variance: 0, sum: 50 }, settings(false)], 'no test: every unit in control has the same value (5), so its variance is 0 and no interval would be honest'],
      ['no conversions', ['proportion', rate(0, 50), rate(0, 40), settings(false)], 'no test: no unit converted in treatment or control, so there is no variation to test'],
      ['all conversions', ['proportion', rate(50, 50), rate(40, 40), settings(true)], 'no test: every unit converted in treatment and control, so there is no variation to test'],
    ];
    for (const [label, args, reason] of cases) {
      const c = compareArms(...args);
      assert.equal(c.test, null, label);
      assert.equal(c.difference.ci, null, label);
      assert.equal(c.relativeLift?.ci ?? null, null, label);
      assert.deepEqual(c.notes, [reason], label);
    }
  });

  it('reports an empty arm as null, not a mean of 0, and says why there is no test', () => {
    const results = computeResults(definition, summary({ control: { exposures: 40, clicked: { n: 4, mean: 1, variance: 0, sum: 4 } } }));
    const clicked = results.metrics[0]!;
    assert.deepEqual(clicked.variants.find((v) => v.variant === 'treatment'), { variant: 'treatment', n: 0, mean: null, sd: null, ci: null });
    assert.deepEqual(clicked.comparisons[0]!.difference, { estimate: null, ci: null });
    assert.equal(clicked.comparisons[0]!.verdict, 'inconclusive');
    assert.ok(results.warnings.includes('clicked, treatment vs control: no test: treatment has 0 units and a comparison needs at least 2 per arm.'), results.warnings.join('\n'));
  });

  it('gives a Wilson interval that starts at exactly 0 for an arm with no conversions', () => {
    const results = computeResults(definition, summary({ control: { exposures: 20 }, treatment: { exposures: 20, clicked: { n: 20, mean: 1, variance: 0, sum: 20 } } }));
    const [treatment, control] = ['treatment', 'control'].map((name) => results.metrics[0]!.variants.find((v) => v.variant === name)!);
    assert.equal(control!.ci![0], 0);
    assert.equal(treatment!.ci![1], 1);
  });

  it('prints the SRM p-value of a chi-square of 114 as R does, not 0', () => {
    const results = computeResults(definition, summary({ control: { exposures: 9245 }, treatment: { exposures: 10755 } }));
    assert.equal(results.sampleRatio.mismatch, true);
    assert.ok(results.sampleRatio.pValue! > 1e-26 && results.sampleRatio.pValue! < 1.4e-26, `${results.sampleRatio.pValue}`);
    assert.match(results.warnings[0]!, /\(p = 1\.30e-26 < 0\.001\)/);
    assert.match(results.recommendation.reason, /sample ratio mismatch, p = 1\.30e-26/);
  });

  it('decides the verdict, the difference interval and the lift interval from one test', () => {
    // Random arms of every size and effect: p ≤ α exactly when each interval excludes 0.
    const random = seededRandom(25);
    let significant = 0;
    for (let i = 0; i < 400; i++) {
      const sequential = i % 2 === 1;
      const n = () => 5 + Math.floor(random() * 400);
      const [nt, nc] = [n(), n()];
      const [c, kind] = i % 4 < 2
        ? [compareArms('proportion', rate(Math.floor(random() * nt * 0.4), nt), rate(1 + Math.floor(random() * nc * 0.3), nc), settings(sequential)), 'proportion']
        : [compareArms('mean', { n: nt, mean: 10 + 3 * random(), variance: 1 + 20 * random(), sum: 0 }, { n: nc, mean: 10 + 3 * random(), variance: 1 + 20 * random(), sum: 0 }, settings(sequential)), 'mean'];
      if (c.test === null || c.relativeLift?.ci == null) continue;
      const rejects = c.test.pValue <= 0.05;
      const excludes = (ci: readonly [number, number]) => ci[0] > 0 || ci[1] < 0;
      assert.equal(excludes(c.difference.ci!), rejects, `${kind} #${i} difference ${c.difference.ci} p ${c.test.pValue}`);
      assert.equal(excludes(c.relativeLift.ci), rejects, `${kind} #${i} lift ${c.relativeLift.ci} p ${c.test.pValue}`);
      if (rejects) significant++;
    }
    assert.ok(significant > 50, `only ${significant} significant cases exercised`);
  });
});
