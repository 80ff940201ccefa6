/**
 * A/A simulations: both arms draw from the same distribution, so every "significant" result
 * is a false positive. Fixed seeds make the figures exact and repeatable.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addUnit, EMPTY_MOMENTS, toMetricMoments, type RunningMoments } from '../../../../../gateway/experiments/store/moments.js';
import { welchTest } from '../../../../../gateway/experiments/statistics/compare.js';
import { computeResults } from '../../../../../gateway/experiments/statistics/results.js';
import type { ExperimentDefinition } from '../../../../../gateway/experiments/statistics/types.js';
import { seededRandom, standardNormal } from '../random.js';

const ALPHA = 0.05;
const definition: ExperimentDefinition = {
  id: 'aa',
  variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }],
  metrics: [{ name: 'revenue', kind: 'mean' }, { name: 'clicked', kind: 'proportion' }],
};

interface ArmState { revenue: RunningMoments; clicked: RunningMoments; units: number }
const emptyArm = (): ArmState => ({ revenue: EMPTY_MOMENTS, clicked: EMPTY_MOMENTS, units: 0 });

/** Revenue: lognormal-ish skew (exp of a normal), as real revenue is; clicks: Bernoulli(0.1). */
function addUnits(arm: ArmState, count: number, random: () => number): ArmState {
  let { revenue, clicked } = arm;
  for (let i = 0; i < count; i++) {
    revenue = addUnit(revenue, Math.exp(0.5 * standardNormal(random)));
    clicked = addUnit(clicked, random() < 0.1 ? 1 : 0);
  }
  return { revenue, clicked, units: arm.units + count };
}

function summaryOf(control: ArmState, treatment: ArmState) {
  const variant = (a: ArmState) => ({ exposures: a.units, metrics: { revenue: toMetricMoments(a.revenue), clicked: toMetricMoments(a.clicked) } });
  return { variants: { control: variant(control), treatment: variant(treatment) } };
}

describe('A/A simulation', () => {
  it('fixed-horizon tests reject a true null at about alpha', () => {
    // 2000 experiments of 300 units per arm. Binomial sd of a 5 % rate over 2000 runs is
    // 0.49 %; the band [3.5 %, 6.5 %] is ±3 sd. Figures with seed 20261101: revenue (Welch)
    // 5.45 %, clicked (two-proportion z) 5.25 %.
    const random = seededRandom(20261101);
    const runs = 2000;
    let revenueRejections = 0;
    let clickedRejections = 0;
    for (let r = 0; r < runs; r++) {
      const results = computeResults(definition, summaryOf(addUnits(emptyArm(), 300, random), addUnits(emptyArm(), 300, random)), { correction: 'none' });
      const [revenue, clicked] = results.metrics.map((m) => m.comparisons[0]!);
      if (revenue!.significant) revenueRejections++;
      if (clicked!.significant) clickedRejections++;
      // One inference: p ≤ α exactly when the difference and lift intervals exclude 0.
      for (const c of [revenue!, clicked!]) {
        const excludes = (ci: readonly [number, number] | null) => ci !== null && ci[0] * ci[1] > 0;
        assert.equal(excludes(c.difference.ci), c.significant);
        if (c.relativeLift?.ci) assert.equal(excludes(c.relativeLift.ci), c.significant);
      }
    }
    const rates = [revenueRejections / runs, clickedRejections / runs];
    console.log(`A/A fixed horizon: false-positive rate revenue ${rates[0]}, clicked ${rates[1]} (alpha ${ALPHA})`);
    for (const rate of rates) assert.ok(rate >= 0.035 && rate <= 0.065, `false-positive rate ${rate}`);
  });

  it('sequential tests stay under alpha over 20 looks, where peeking at fixed-horizon p-values does not', () => {
    // 1000 experiments, a look after every 100 units per arm, 20 looks (2000 units per arm).
    // Figures with seed 7: sequential 1.1 % (revenue) and 0.7 % (clicked); fixed-horizon Welch
    // read at each look 25.8 %.
    const random = seededRandom(7);
    const runs = 1000;
    const looks = 20;
    let sequentialRejections = 0;
    let clickedRejections = 0;
    let peekingRejections = 0;
    for (let r = 0; r < runs; r++) {
      let control = emptyArm();
      let treatment = emptyArm();
      let sequentialRejected = false;
      let clickedRejected = false;
      let peekingRejected = false;
      for (let look = 0; look < looks; look++) {
        control = addUnits(control, 100, random);
        treatment = addUnits(treatment, 100, random);
        const results = computeResults(definition, summaryOf(control, treatment), { sequential: true, correction: 'none' });
        const [revenue, clicked] = results.metrics.map((m) => m.comparisons[0]!);
        sequentialRejected ||= revenue!.significant;
        clickedRejected ||= clicked!.significant;
        // One inference: a significant always-valid result has both intervals excluding 0.
        for (const c of [revenue!, clicked!]) {
          if (c.significant) assert.ok(c.difference.ci![0] * c.difference.ci![1] > 0 && (c.relativeLift!.ci === null || c.relativeLift!.ci[0] * c.relativeLift!.ci[1] > 0));
        }
        const toSample = (m: RunningMoments) => ({ n: m.n, mean: m.mean, variance: m.m2 / (m.n - 1) });
        peekingRejected ||= welchTest(toSample(treatment.revenue), toSample(control.revenue), ALPHA)!.pValue <= ALPHA;
      }
      if (sequentialRejected) sequentialRejections++;
      if (clickedRejected) clickedRejections++;
      if (peekingRejected) peekingRejections++;
    }
    const sequentialRate = sequentialRejections / runs;
    const clickedRate = clickedRejections / runs;
    const peekingRate = peekingRejections / runs;
    console.log(`A/A 20 looks: false-positive rate sequential revenue ${sequentialRate}, clicked ${clickedRate}; fixed-horizon peeking ${peekingRate} (alpha ${ALPHA})`);
    assert.ok(sequentialRate <= ALPHA, `sequential false-positive rate ${sequentialRate}`);
    assert.ok(clickedRate <= ALPHA, `sequential false-positive rate for clicked ${clickedRate}`);
    assert.ok(peekingRate > 0.1, `peeking should inflate the rate well past alpha: ${peekingRate}`);
  });
});
