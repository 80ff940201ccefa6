import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sampleVariance } from 'simple-statistics';
import { SwitchyardError } from '../../../../protocol/errors.js';
import type { ExperimentStore, Outcome } from '../../../../gateway/experiments/store/store.js';
import { assertClose } from '../../../unit/gateway/experiments/assert-close.js';
import { seededRandom, standardNormal } from '../../../unit/gateway/experiments/random.js';
import { exposureJoinSuite } from './store-join-suite.js';
import { metricKindsSuite } from './store-metric-kinds-suite.js';

export interface StoreFactoryOptions {
  readonly now: () => number;
  readonly idempotencyTtlMs: number;
}
export type StoreFactory = (options: StoreFactoryOptions) => ExperimentStore;

const DAY_MS = 24 * 60 * 60 * 1000;

/** One behaviour, two stores: the memory twin and Redis must pass exactly the same tests. */
export function experimentStoreSuite(name: string, factory: StoreFactory): void {
  describe(`${name} experiment store`, () => {
    let clock = 1_700_000_000_000;
    let store: ExperimentStore;
    const used: string[] = [];
    const experiment = (label: string): string => {
      const id = `${label}-${used.length}`;
      used.push(id);
      return id;
    };

    beforeEach(() => {
      clock = 1_700_000_000_000;
      store = factory({ now: () => clock, idempotencyTtlMs: DAY_MS });
    });
    afterEach(async () => {
      for (const id of used.splice(0)) await store.reset(id);
      await store.close();
    });

    const expose = async (id: string, variant: string, units: readonly string[]) => {
      for (const unit of units) await store.recordExposure(id, variant, unit);
    };

    it('counts each unit once per experiment, for its first arm; a unit seen in a second arm is multi-arm', async () => {
      const id = experiment('exposure');
      assert.deepEqual([
        await store.recordExposure(id, 'control', 'u1'),
        await store.recordExposure(id, 'control', 'u1'),
        await store.recordExposure(id, 'treatment', 'u1'),
        await store.recordExposure(id, 'treatment', 'u2'),
        await store.recordExposure(id, 'control', 'u3'),
      ], [true, false, false, true, true]);
      assert.deepEqual(await store.summary(id), {
        variants: { control: { exposures: 2, multiArm: 1, metrics: {} }, treatment: { exposures: 1, multiArm: 0, metrics: {} } },
        neverExposed: { units: 0, outcomes: 0 },
      });
    });

    it('sums a unit\'s outcomes into one row and keeps n, mean, sample variance and sum per variant', async () => {
      const id = experiment('sums');
      await expose(id, 'control', ['u1', 'u2', 'u3']);
      await expose(id, 'treatment', ['u4']);
      const result = await store.recordOutcomes(id, [
        { unit: 'u1', variant: 'control', metric: 'revenue', value: 3 },
        { unit: 'u2', variant: 'control', metric: 'revenue', value: 1 },
        { unit: 'u1', variant: 'control', metric: 'revenue', value: 4 },
        { unit: 'u3', variant: 'control', metric: 'revenue', value: 10 },
        { unit: 'u4', variant: 'treatment', metric: 'revenue', value: 5 },
      ]);
      assert.deepEqual(result, { accepted: 5, duplicate: false });
      // Control rows 7, 1, 10: mean 6, variance (1 + 25 + 16) / 2 = 21. The metric's origin is
      // its first value, 3, shared by both arms: shifted means 6 − 3 and 5 − 3.
      assert.deepEqual(await store.summary(id), {
        variants: {
          control: { exposures: 3, multiArm: 0, metrics: { revenue: { n: 3, mean: 6, variance: 21, sum: 18, shifted: { origin: 3, mean: 3 } } } },
          treatment: { exposures: 1, multiArm: 0, metrics: { revenue: { n: 1, mean: 5, variance: null, sum: 5, shifted: { origin: 3, mean: 2 } } } },
        },
        neverExposed: { units: 0, outcomes: 0 },
      });
    });

    it('keeps 0/1 metrics at "converted at least once" with combine: max', async () => {
      const id = experiment('max');
      await expose(id, 'control', ['u1', 'u2', 'u3']);
      const click = (unit: string, value: number): Outcome => ({ unit, variant: 'control', metric: 'clicked', value, combine: 'max' });
      await store.recordOutcomes(id, [click('u1', 1), click('u1', 1), click('u2', 0), click('u3', 0), click('u3', 0)]);
      await store.recordOutcomes(id, [click('u2', 1), click('u2', 0)]);
      const clicked = (await store.summary(id)).variants.control!.metrics.clicked!;
      assert.deepEqual({ n: clicked.n, sum: clicked.sum }, { n: 3, sum: 2 });
      assertClose(clicked.mean, 2 / 3, 1e-15, 'mean');
      assertClose(clicked.variance!, 1 / 3, 1e-15, 'variance');
    });

    it('counts a unit\'s outcomes in the arm of its first exposure, whatever variant an outcome carries', async () => {
      const id = experiment('owner');
      await expose(id, 'control', ['u1']);
      await store.recordOutcomes(id, [{ unit: 'u1', variant: 'treatment', metric: 'revenue', value: 2 }]);
      await store.recordOutcomes(id, [{ unit: 'u1', variant: 'control', metric: 'revenue', value: 3 }]);
      assert.deepEqual(await store.summary(id), {
        variants: { control: { exposures: 1, multiArm: 0, metrics: { revenue: { n: 1, mean: 5, variance: null, sum: 5, shifted: { origin: 2, mean: 3 } } } } },
        neverExposed: { units: 0, outcomes: 0 },
      });
    });

    it('treats a repeated idempotency key as a no-op for 24 h, then forgets it', async () => {
      const id = experiment('idempotency');
      await expose(id, 'control', ['u1']);
      const batch: Outcome[] = [{ unit: 'u1', variant: 'control', metric: 'revenue', value: 2 }];
      assert.deepEqual(await store.recordOutcomes(id, batch, 'k1'), { accepted: 1, duplicate: false });
      clock += DAY_MS - 1;
      assert.deepEqual(await store.recordOutcomes(id, batch, 'k1'), { accepted: 0, duplicate: true });
      assert.deepEqual(await store.recordOutcomes(id, batch, 'k2'), { accepted: 1, duplicate: false });
      clock += 1;
      assert.deepEqual(await store.recordOutcomes(id, batch, 'k1'), { accepted: 1, duplicate: false });
      const other = experiment('idempotency-other');
      assert.deepEqual(await store.recordOutcomes(other, batch, 'k2'), { accepted: 1, duplicate: false });
      assert.equal((await store.summary(id)).variants.control!.metrics.revenue!.sum, 6);
      assert.deepEqual((await store.summary(other)).neverExposed, { units: 1, outcomes: 1 });
    });

    it('records nothing of a batch with one bad outcome', async () => {
      const id = experiment('atomic');
      await assert.rejects(store.recordOutcomes(id, [
        { unit: 'u1', variant: 'control', metric: 'revenue', value: 2 },
        { unit: 'u2', variant: 'control', metric: 'revenue', value: Number.NaN },
      ], 'k'), (err: unknown) => err instanceof SwitchyardError && err.status === 400
        && err.message === 'outcomes[1]: cannot record value NaN; nothing was recorded');
      assert.deepEqual(await store.summary(id), { variants: {}, neverExposed: { units: 0, outcomes: 0 } });
      assert.deepEqual(await store.recordOutcomes(id, [{ unit: 'u1', variant: 'control', metric: 'revenue', value: 2 }], 'k'), { accepted: 1, duplicate: false });
    });

    it('keeps the variance of values near 1e9 exact where naive Σx² loses every digit', async () => {
      const id = experiment('precision');
      const random = seededRandom(7);
      const outcomes: Outcome[] = [];
      for (let i = 0; i < 2000; i++) {
        const unit = `u${i}`;
        const variant = i % 2 === 0 ? 'control' : 'treatment';
        // Two outcomes per unit, so the replacement update is exercised too.
        outcomes.push({ unit, variant, metric: 'latency', value: 1e9 + standardNormal(random) });
        outcomes.push({ unit, variant, metric: 'latency', value: 0.5 * standardNormal(random) });
      }
      // Half the units are exposed before their outcomes and half after, so both paths into
      // the moments (an outcome of an exposed unit, an exposure of a unit with totals) are used.
      const exposeRange = (from: number, to: number) => Promise.all(Array.from({ length: to - from }, (_, k) =>
        store.recordExposure(id, (from + k) % 2 === 0 ? 'control' : 'treatment', `u${from + k}`)));
      await exposeRange(0, 1000);
      for (let i = 0; i < outcomes.length; i += 500) await store.recordOutcomes(id, outcomes.slice(i, i + 500));
      await exposeRange(1000, 2000);
      const units = await store.exportUnits(id);
      const summary = await store.summary(id);
      for (const variant of ['control', 'treatment']) {
        const totals = units.filter((u) => u.variant === variant).map((u) => u.metrics.latency!);
        const expected = sampleVariance(totals); // two-pass: the reference
        const got = summary.variants[variant]!.metrics.latency!;
        assert.equal(got.n, 1000);
        // Doubles near 1e9 are 1.2e-7 apart (one ulp), about 1e-7 of this sd: Welford's running
        // mean carries that rounding, so 1e-7 relative is the inputs' own resolution.
        assertClose(got.variance!, expected, 1e-7, `${variant} variance`);
        assert.ok(expected > 1 && expected < 1.5, `true variance is 1.25, sample ${expected}`);
        const sumSquares = totals.reduce((s, x) => s + x * x, 0);
        const sum = totals.reduce((s, x) => s + x, 0);
        const naive = (sumSquares - (sum * sum) / totals.length) / (totals.length - 1);
        assert.ok(Math.abs(naive - expected) / expected > 0.1, `naive Σx² should be far off here (${naive})`);
      }
    });

    it('exports every unit with its variant and totals, sorted by unit', async () => {
      const id = experiment('export');
      await store.recordExposure(id, 'treatment', 'b');
      await store.recordExposure(id, 'control', 'a');
      await store.recordOutcomes(id, [
        { unit: 'a', variant: 'control', metric: 'revenue', value: 2.5 },
        { unit: 'a', variant: 'control', metric: 'clicked', value: 1, combine: 'max' },
        { unit: 'c:x', variant: 'treatment', metric: 'revenue', value: -1 },
      ]);
      await store.recordExposure(id, 'control', 'b');
      assert.deepEqual(await store.exportUnits(id), [
        { unit: 'a', variant: 'control', exposed: true, multiArm: false, metrics: { clicked: 1, revenue: 2.5 } },
        { unit: 'b', variant: 'treatment', exposed: true, multiArm: true, metrics: {} },
        { unit: 'c:x', variant: 'treatment', exposed: false, multiArm: false, metrics: { revenue: -1 } },
      ]);
    });

    it('stops counting exposures after stop, still takes outcomes, and forgets everything on reset', async () => {
      const id = experiment('stop');
      await store.recordExposure(id, 'control', 'u1');
      assert.equal(await store.isStopped(id), false);
      await store.stop(id);
      assert.equal(await store.isStopped(id), true);
      assert.equal(await store.recordExposure(id, 'control', 'u2'), false);
      await store.recordOutcomes(id, [{ unit: 'u1', variant: 'control', metric: 'revenue', value: 1 }], 'k');
      assert.deepEqual(await store.summary(id), {
        variants: { control: { exposures: 1, multiArm: 0, metrics: { revenue: { n: 1, mean: 1, variance: null, sum: 1, shifted: { origin: 1, mean: 0 } } } } },
        neverExposed: { units: 0, outcomes: 0 },
      });
      await store.reset(id);
      assert.equal(await store.isStopped(id), false);
      assert.deepEqual(await store.summary(id), { variants: {}, neverExposed: { units: 0, outcomes: 0 } });
      assert.deepEqual(await store.exportUnits(id), []);
      assert.deepEqual(await store.recordOutcomes(id, [{ unit: 'u1', variant: 'control', metric: 'revenue', value: 1 }], 'k'), { accepted: 1, duplicate: false });
    });
  });
  exposureJoinSuite(name, factory);
  metricKindsSuite(name, factory);
}
