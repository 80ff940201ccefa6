/**
 * Ratio metrics, CUPED and capping through a store, against R (test/fixtures/statistics/r.json,
 * made by reference.R): the per-unit data of the fixture are posted unit by unit, the store's
 * summary (and, for capping, its units) goes through computeResults, and every figure of the
 * comparison, the chance to beat control included, matches R to 1e-9 relative. Before those, the product sums the stores keep for
 * them, exact through each step of the exposure join.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { chanceToBeatControl } from '../../../../gateway/experiments/statistics/chance-to-beat.js';
import { computeResults } from '../../../../gateway/experiments/statistics/results.js';
import type { Comparison, ExperimentDefinition, MetricDefinition } from '../../../../gateway/experiments/statistics/types.js';
import type { ExperimentStore, Outcome } from '../../../../gateway/experiments/store/store.js';
import { repoRoot } from '../../../helpers/repo-root.js';
import { assertClose, assertIntervalClose } from '../../../unit/gateway/experiments/assert-close.js';
import type { StoreFactory } from './store-suite.js';

interface RComparison { difference: number; t: number; df: number; p: number; ci: [number, number]; lift: number; liftCi: [number, number]; chance: number }
interface Fixture {
  ratio: { treatment: { numerator: number[]; denominator: number[] }; control: { numerator: number[]; denominator: number[] }; ratios: [number, number]; comparison: RComparison };
  cuped: {
    treatment: { covariate: number[]; metric: number[] }; control: { covariate: number[]; metric: number[] };
    theta: number; lmArmCoefficient: number; varianceReduction: number; unadjustedDifference: number; comparison: RComparison;
  };
  capping: {
    treatment: number[]; control: number[]; zerosTreatment: number; zerosControl: number;
    percentile: { p: number; cap: number; cappedUnits: [number, number]; comparison: RComparison };
    fixed: { cap: number; cappedUnits: [number, number]; comparison: RComparison };
  };
}
const R = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/statistics/r.json'), 'utf8')) as Fixture;
const TOLERANCE = 1e-9;
const ARMS = ['treatment', 'control'] as const;

const definitionOf = (id: string, metrics: MetricDefinition[]): ExperimentDefinition => ({
  id, variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }], metrics,
});

/**
 * Welch t, its df and p, the difference interval, Fieller's lift interval and the chance to beat
 * control, all against R on the values the test compares (linearised, adjusted, capped).
 */
function assertComparison(c: Comparison | undefined, r: RComparison, label: string): void {
  assert.ok(c?.test?.method === 'welch-t', `${label}: expected a Welch test`);
  assertClose(c.difference.estimate, r.difference, TOLERANCE, `${label} difference`);
  assertClose(c.test.statistic, r.t, TOLERANCE, `${label} t`);
  assertClose(c.test.df, r.df, TOLERANCE, `${label} df`);
  assertClose(c.test.pValue, r.p, TOLERANCE, `${label} p`);
  assertIntervalClose(c.difference.ci, r.ci, TOLERANCE, `${label} difference interval`);
  assertClose(c.relativeLift?.estimate, r.lift, TOLERANCE, `${label} lift`);
  assertIntervalClose(c.relativeLift?.ci, r.liftCi, TOLERANCE, `${label} lift interval`);
  assertClose(c.chanceToBeatControl, r.chance, TOLERANCE, `${label} chance to beat control`);
}

export function metricKindsSuite(name: string, factory: StoreFactory): void {
  describe(`${name} experiment store: ratio metrics, CUPED and capping`, () => {
    let store: ExperimentStore;
    const used: string[] = [];
    const experiment = (label: string): string => {
      const id = `kinds-${label}-${used.length}`;
      used.push(id);
      return id;
    };
    const post = (id: string, outcomes: Outcome[]) => store.recordOutcomes(id, outcomes);

    beforeEach(() => {
      store = factory({ now: () => 1_700_000_000_000, idempotencyTtlMs: 60_000 });
    });
    afterEach(async () => {
      for (const id of used.splice(0)) await store.reset(id);
      await store.close();
    });

    it('keeps Σ a·b per arm exactly as units join late, change a total, and leave for a second arm', async () => {
      const id = experiment('products');
      const o = (unit: string, metric: string, value: number): Outcome => ({ unit, variant: 'control', metric, value });
      // u1 posts before its exposure: nothing is analysed, so no products yet.
      await post(id, [o('u1', 'a', 2), o('u1', 'b', 3), o('u1', 'c', 5)]);
      assert.equal((await store.summary(id)).variants.control, undefined);
      await store.recordExposure(id, 'control', 'u1');
      await store.recordExposure(id, 'control', 'u2');
      await store.recordExposure(id, 'control', 'moved');
      // u1's a grows by 4 (a·b: 6 → 18, a·c: 10 → 30); u2 has a and b; moved has a and c, then leaves.
      await post(id, [o('u1', 'a', 4), o('u2', 'b', 7), o('u2', 'a', -1), o('moved', 'a', 10), o('moved', 'c', 0.5)]);
      assert.deepEqual((await store.summary(id)).variants.control!.products, { 'a:b': 18 - 7, 'a:c': 30 + 5, 'b:c': 15 });
      await store.recordExposure(id, 'treatment', 'moved');
      // moved's a·c (5) leaves; its later outcomes never come back.
      await post(id, [o('moved', 'b', 100)]);
      assert.deepEqual((await store.summary(id)).variants.control!.products, { 'a:b': 11, 'a:c': 30, 'b:c': 15 });
    });

    it('analyses revenue per session with the delta method, as Welch on the linearised values in R', async () => {
      const id = experiment('ratio');
      for (const arm of ARMS) {
        const data = R.ratio[arm];
        for (const [i, revenue] of data.numerator.entries()) {
          const unit = `${arm}-${i}`;
          await store.recordExposure(id, arm, unit);
          // Units with no session post nothing: missing counts as 0 for both parts.
          if (data.denominator[i] === 0) continue;
          await post(id, [{ unit, variant: arm, metric: 'sessions', value: data.denominator[i]! }, { unit, variant: arm, metric: 'revenue', value: revenue }]);
        }
      }
      const results = computeResults(definitionOf(id, [
        { name: 'revenue_per_session', kind: 'ratio', numerator: 'revenue', denominator: 'sessions' },
        { name: 'revenue', kind: 'mean' }, { name: 'sessions', kind: 'mean' },
      ]), await store.summary(id));
      const metric = results.metrics[0]!;
      assert.deepEqual([metric.kind, metric.ratio], ['ratio', { numerator: 'revenue', denominator: 'sessions' }]);
      assert.deepEqual(metric.variants.map((v) => [v.variant, v.n]), [['control', 70], ['treatment', 60]]);
      assertClose(metric.variants[1]!.mean, R.ratio.ratios[0], TOLERANCE, 'treatment ratio');
      assertClose(metric.variants[0]!.mean, R.ratio.ratios[1], TOLERANCE, 'control ratio');
      assertComparison(metric.comparisons[0], R.ratio.comparison, 'ratio');
    });

    it('adjusts with CUPED on a covariate posted before exposure: θ as lm() gives, the variance reduction, and the adjusted test as R', async () => {
      const id = experiment('cuped');
      for (const arm of ARMS) {
        const data = R.cuped[arm];
        for (const [i, x] of data.covariate.entries()) {
          const unit = `${arm}-${i}`;
          if (x !== 0) await post(id, [{ unit, variant: arm, metric: 'pre_revenue', value: x }]);
          await store.recordExposure(id, arm, unit);
          // Posted in two pieces: the unit's total changes after its products were counted.
          const y = data.metric[i]!;
          await post(id, [{ unit, variant: arm, metric: 'revenue', value: 10 }]);
          await post(id, [{ unit, variant: arm, metric: 'revenue', value: y - 10 }]);
        }
      }
      const results = computeResults(definitionOf(id, [
        { name: 'revenue', kind: 'mean', cuped: { covariate: 'pre_revenue' } }, { name: 'pre_revenue', kind: 'covariate' },
      ]), await store.summary(id));
      assert.deepEqual(results.metrics.map((m) => m.name), ['revenue'], 'a covariate is not reported on its own');
      const comparison = results.metrics[0]!.comparisons[0]!;
      assert.equal(comparison.cuped?.covariate, 'pre_revenue');
      assertClose(comparison.cuped.theta, R.cuped.theta, TOLERANCE, 'theta');
      assertClose(comparison.cuped.varianceReduction, R.cuped.varianceReduction, TOLERANCE, 'variance reduction');
      assertClose(comparison.cuped.unadjustedDifference, R.cuped.unadjustedDifference, TOLERANCE, 'unadjusted difference');
      assertClose(comparison.difference.estimate, R.cuped.lmArmCoefficient, TOLERANCE, 'difference vs lm arm coefficient');
      assertComparison(comparison, R.cuped.comparison, 'cuped');
      // The unadjusted arms (the variant rows) give another chance: the one reported is the adjusted one.
      const [control, treatment] = results.metrics[0]!.variants.map((v) => ({ n: v.n, mean: v.mean!, variance: v.sd! ** 2, sum: v.mean! * v.n }));
      const unadjusted = chanceToBeatControl('mean', 'increase', treatment!, control!)!;
      assert.ok(Math.abs(unadjusted - comparison.chanceToBeatControl!) > 0.05, `unadjusted ${unadjusted} vs reported ${comparison.chanceToBeatControl}`);
    });

    for (const which of ['percentile', 'fixed'] as const) {
      it(`caps revenue at ${which === 'fixed' ? 'a fixed value' : 'the 90th percentile of the pooled totals'}, counts the capped units per arm, and tests the capped values as R`, async () => {
        const id = experiment(`cap-${which}`);
        const zeros = { treatment: R.capping.zerosTreatment, control: R.capping.zerosControl };
        for (const arm of ARMS) {
          for (const [i, value] of R.capping[arm].entries()) {
            await store.recordExposure(id, arm, `${arm}-${i}`);
            await post(id, [{ unit: `${arm}-${i}`, variant: arm, metric: 'revenue', value }]);
          }
          for (let i = 0; i < zeros[arm]; i++) await store.recordExposure(id, arm, `${arm}-none-${i}`);
        }
        // A unit never exposed posts the largest value of all: it must not move the percentile.
        await post(id, [{ unit: 'stranger', variant: 'control', metric: 'revenue', value: 1e6 }]);
        const cap = which === 'fixed' ? { value: R.capping.fixed.cap } : { percentile: R.capping.percentile.p };
        const results = computeResults(definitionOf(id, [{ name: 'revenue', kind: 'mean', cap }]), await store.summary(id), { units: await store.exportUnits(id) });
        const metric = results.metrics[0]!;
        const expected = R.capping[which];
        assert.equal(metric.capping?.method, which === 'fixed' ? 'value' : 'percentile');
        assertClose(metric.capping.cap, expected.cap, TOLERANCE, 'cap');
        assert.deepEqual(metric.capping.cappedUnits, { control: expected.cappedUnits[1], treatment: expected.cappedUnits[0] });
        assert.deepEqual(metric.variants.map((v) => v.n), [45 + zeros.control, 40 + zeros.treatment]);
        assertComparison(metric.comparisons[0], expected.comparison, `cap ${which}`);
      });
    }
  });
}
