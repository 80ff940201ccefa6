import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { mean, sampleVariance } from 'simple-statistics';
import { computeResults } from '../../../../gateway/experiments/statistics/results.js';
import type { ExperimentDefinition } from '../../../../gateway/experiments/statistics/types.js';
import type { ExperimentStore, ExperimentSummary, MetricMoments, Outcome } from '../../../../gateway/experiments/store/store.js';
import { assertClose } from '../../../unit/gateway/experiments/assert-close.js';
import { seededRandom } from '../../../unit/gateway/experiments/random.js';
import type { StoreFactory } from './store-suite.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const DEFINITION: ExperimentDefinition = {
  id: 'join',
  variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }],
  metrics: [{ name: 'revenue', kind: 'mean' }, { name: 'clicked', kind: 'proportion' }],
};

const revenue = (unit: string, value: number, variant = 'control'): Outcome => ({ unit, variant, metric: 'revenue', value });
const click = (unit: string, value: number, variant = 'control'): Outcome => ({ unit, variant, metric: 'clicked', value, combine: 'max' });

/** The join of outcomes on exposure (store.ts, ExperimentStore), in both stores, with exact counts. */
export function exposureJoinSuite(name: string, factory: StoreFactory): void {
  describe(`${name} experiment store: outcomes joined on exposure`, () => {
    let store: ExperimentStore;
    const used: string[] = [];
    const experiment = (label: string): string => {
      const id = `join-${label}-${used.length}`;
      used.push(id);
      return id;
    };
    const expose = async (id: string, variant: string, units: readonly string[]) => {
      for (const unit of units) await store.recordExposure(id, variant, unit);
    };

    beforeEach(() => {
      store = factory({ now: () => 1_700_000_000_000, idempotencyTtlMs: DAY_MS });
    });
    afterEach(async () => {
      for (const id of used.splice(0)) await store.reset(id);
      await store.close();
    });

    it('analyses four exposed units (n 4, mean 2.5) and reports the one never exposed; an arm with no exposures has n 0', async () => {
      const id = experiment('example');
      await expose(id, 'control', ['c1', 'c2', 'c3', 'c4']);
      await store.recordOutcomes(id, [revenue('c1', 1), revenue('c2', 2), revenue('c3', 3), revenue('c4', 4), revenue('stranger', 10)]);
      const summary = await store.summary(id);
      const { variance, ...moments } = summary.variants.control!.metrics.revenue!;
      assert.deepEqual(moments, { n: 4, mean: 2.5, sum: 10, shifted: { origin: 1, mean: 1.5 } });
      assertClose(variance, 5 / 3, 1e-15, 'variance');
      assert.deepEqual({ ...summary, variants: Object.keys(summary.variants) }, { variants: ['control'], neverExposed: { units: 1, outcomes: 1 } });

      const results = computeResults(DEFINITION, summary);
      // The mean of an empty arm is not asserted: what it reports (0 or null) is the statistics' concern.
      const arms = results.metrics[0]!.variants.map((v) => [v.variant, v.n, v.n === 0 ? '-' : v.mean]);
      assert.deepEqual(arms, [['control', 4, 2.5], ['treatment', 0, '-']]);
      assert.deepEqual(results.exposureJoin.analysedUnits, { control: 4, treatment: 0 });
      assert.deepEqual(results.exposureJoin.neverExposed, { units: 1, outcomes: 1, share: 0.2 });
      assert.equal(results.exposureJoin.leftOut, '1 outcome from 1 unit never exposed; 0 units exposed to more than one arm');
      assert.deepEqual(results.warnings.filter((w) => w.includes('never exposed')), [
        '1 outcome from 1 unit never exposed (20 % of units) left out of the analysis: outcomes count only for units the gateway exposed. '
        + 'Check that outcomes carry the unit id the route reads, and that exposures are being recorded.',
      ]);
    });

    it('moves a unit\'s outcomes into its arm when it is exposed after posting them, and adds later ones there', async () => {
      const id = experiment('late-exposure');
      await store.recordOutcomes(id, [revenue('u1', 2), revenue('u1', 3), click('u1', 1), revenue('u2', 7)]);
      assert.deepEqual(await store.summary(id), { variants: {}, neverExposed: { units: 2, outcomes: 4 } });

      assert.equal(await store.recordExposure(id, 'treatment', 'u1'), true);
      assert.deepEqual(await store.summary(id), {
        variants: {
          treatment: {
            exposures: 1, multiArm: 0,
            metrics: {
              clicked: { n: 1, mean: 1, variance: null, sum: 1, shifted: { origin: 1, mean: 0 } },
              revenue: { n: 1, mean: 5, variance: null, sum: 5, shifted: { origin: 2, mean: 3 } },
            },
            // The unit's two totals joined together: clicked × revenue = 1 × 5.
            products: { 'clicked:revenue': 5 },
          },
        },
        neverExposed: { units: 1, outcomes: 1 },
      });

      await store.recordOutcomes(id, [revenue('u1', 4, 'control'), revenue('u3', 1)]);
      await store.recordExposure(id, 'treatment', 'u3');
      await store.recordExposure(id, 'control', 'u4');
      assert.deepEqual(await store.summary(id), {
        variants: {
          control: { exposures: 1, multiArm: 0, metrics: {} },
          treatment: {
            exposures: 2, multiArm: 0,
            metrics: {
              clicked: { n: 1, mean: 1, variance: null, sum: 1, shifted: { origin: 1, mean: 0 } },
              revenue: { n: 2, mean: 5, variance: 32, sum: 10, shifted: { origin: 2, mean: 3 } },
            },
            products: { 'clicked:revenue': 9 },
          },
        },
        neverExposed: { units: 1, outcomes: 1 },
      });
      // The analysed units of an arm are every metric's n with missing: zero, and those with an outcome with exclude.
      const summary = await store.summary(id);
      const n = (missing: 'zero' | 'exclude') => computeResults({ ...DEFINITION, metrics: [{ name: 'revenue', kind: 'mean', missing }] }, summary)
        .metrics[0]!.variants.map((v) => [v.variant, v.n]);
      assert.deepEqual([n('zero'), n('exclude')], [[['control', 1], ['treatment', 2]], [['control', 0], ['treatment', 2]]]);
    });

    it('leaves out a unit exposed to a second arm (a weight change), with what it posted before and after, and counts it once', async () => {
      const id = experiment('multi-arm');
      await expose(id, 'control', ['c1', 'c2', 'moved']);
      await expose(id, 'treatment', ['t1']);
      await store.recordOutcomes(id, [revenue('c1', 1), revenue('c2', 3), revenue('moved', 100), click('moved', 1), revenue('t1', 5, 'treatment')]);

      assert.equal(await store.recordExposure(id, 'treatment', 'moved'), false);
      await store.recordOutcomes(id, [revenue('moved', 50, 'treatment')]);
      // Seen again in either arm: still one multi-arm unit.
      await expose(id, 'control', ['moved']);
      await expose(id, 'treatment', ['moved']);

      const summary = await store.summary(id);
      const control = summary.variants.control!;
      assert.deepEqual({ exposures: control.exposures, multiArm: control.multiArm, metrics: Object.keys(control.metrics) }, { exposures: 3, multiArm: 1, metrics: ['revenue'] });
      const { variance, ...rest } = control.metrics.revenue!;
      assert.deepEqual(rest, { n: 2, mean: 2, sum: 4, shifted: { origin: 1, mean: 1 } });
      assertClose(variance, 2, 1e-12, 'control variance after the unit left');
      assert.deepEqual(summary.variants.treatment, { exposures: 1, multiArm: 0, metrics: { revenue: { n: 1, mean: 5, variance: null, sum: 5, shifted: { origin: 1, mean: 4 } } } });

      const results = computeResults(DEFINITION, summary);
      assert.deepEqual(results.metrics.map((m) => m.variants.map((v) => v.n)), [[2, 1], [2, 1]]);
      assert.deepEqual(results.exposureJoin.multiArm, { units: 1, byVariant: { control: 1, treatment: 0 }, share: 0.25 });
      assert.ok(results.warnings.includes('1 unit exposed to more than one arm (25 % of exposed units) left out of the analysis: the split moved them, '
        + 'usually because weights changed mid-experiment; the arms are compared without them.'), results.warnings.join('\n'));
      const moved = (await store.exportUnits(id)).find((u) => u.unit === 'moved');
      assert.deepEqual(moved, { unit: 'moved', variant: 'control', exposed: true, multiArm: true, metrics: { clicked: 1, revenue: 150 } });
    });

    it('after stop, gives exactly what the rule gives on the raw events, for a random mix of exposures, second arms and outcomes in any order', async () => {
      const id = experiment('random');
      const random = seededRandom(2511);
      const units = Array.from({ length: 40 }, (_, i) => `u${i}`);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      type Event = { kind: 'exposure'; unit: string; variant: string } | { kind: 'outcome'; outcome: Outcome };
      const events: Event[] = [];
      for (let i = 0; i < 400; i++) {
        const unit = pick(units);
        if (random() < 0.35) events.push({ kind: 'exposure', unit, variant: random() < 0.8 ? (Number(unit.slice(1)) % 2 === 0 ? 'control' : 'treatment') : pick(['control', 'treatment']) });
        else events.push({ kind: 'outcome', outcome: random() < 0.5 ? revenue(unit, Math.floor(random() * 20) - 5) : click(unit, random() < 0.5 ? 1 : 0) });
      }
      const stopAt = 300;

      // The rule, applied directly to the events.
      const arm = new Map<string, string>();
      const multi = new Set<string>();
      const totals = new Map<string, Map<string, number>>([['revenue', new Map()], ['clicked', new Map()]]);
      const outcomesOf = new Map<string, number>();
      for (const [i, event] of events.entries()) {
        if (i === stopAt) await store.stop(id);
        if (event.kind === 'exposure') {
          await store.recordExposure(id, event.variant, event.unit);
          if (i >= stopAt) continue;
          const first = arm.get(event.unit);
          if (first === undefined) arm.set(event.unit, event.variant);
          else if (first !== event.variant) multi.add(event.unit);
        } else {
          await store.recordOutcomes(id, [event.outcome], `k${i}`);
          const { unit, metric, value } = event.outcome;
          const metricTotals = totals.get(metric)!;
          const previous = metricTotals.get(unit);
          metricTotals.set(unit, previous === undefined ? value : metric === 'clicked' ? Math.max(previous, value) : previous + value);
          outcomesOf.set(unit, (outcomesOf.get(unit) ?? 0) + 1);
        }
      }

      const never = [...outcomesOf.keys()].filter((u) => !arm.has(u));
      const expected: ExperimentSummary = {
        variants: Object.fromEntries(['control', 'treatment'].map((variant) => {
          const members = [...arm].filter(([u, v]) => v === variant && !multi.has(u)).map(([u]) => u);
          const metrics = [...totals].sort(([a], [b]) => a.localeCompare(b)).flatMap(([metric, byUnit]) => {
            const values = members.flatMap((u) => (byUnit.has(u) ? [byUnit.get(u)!] : []));
            return values.length === 0 ? [] : [[metric, moments(values)] as const];
          });
          const exposures = [...arm.values()].filter((v) => v === variant).length;
          const multiArm = [...multi].filter((u) => arm.get(u) === variant).length;
          return [variant, { exposures, multiArm, metrics: Object.fromEntries(metrics) }];
        })),
        neverExposed: { units: never.length, outcomes: never.reduce((s, u) => s + outcomesOf.get(u)!, 0) },
      };
      assert.ok(multi.size > 0 && never.length > 0, `the mix must exercise both exclusions (multi ${multi.size}, never ${never.length})`);
      assertSummaryClose(await store.summary(id), expected);
    });
  });
}

function moments(values: readonly number[]): MetricMoments {
  return { n: values.length, mean: mean([...values]), variance: values.length < 2 ? null : sampleVariance([...values]), sum: values.reduce((s, x) => s + x, 0) };
}

/** Counts and sums exactly; the running mean and variance to rounding (integers in, so 1e-12). */
function assertSummaryClose(got: ExperimentSummary, expected: ExperimentSummary): void {
  const shape = (s: ExperimentSummary) => ({
    neverExposed: s.neverExposed,
    variants: Object.fromEntries(Object.entries(s.variants).map(([v, x]) => [v, {
      exposures: x.exposures, multiArm: x.multiArm, metrics: Object.fromEntries(Object.entries(x.metrics).map(([m, y]) => [m, { n: y.n, sum: y.sum }])),
    }])),
  });
  assert.deepEqual(shape(got), shape(expected));
  for (const [variant, summary] of Object.entries(expected.variants)) {
    for (const [metric, m] of Object.entries(summary.metrics)) {
      const g = got.variants[variant]!.metrics[metric]!;
      assertClose(g.mean, m.mean, 1e-12, `${variant} ${metric} mean`);
      if (m.variance === null) assert.equal(g.variance, null);
      else assertClose(g.variance, m.variance, 1e-9, `${variant} ${metric} variance`);
    }
  }
}
