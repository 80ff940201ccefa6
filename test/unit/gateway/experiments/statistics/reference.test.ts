/**
 * Every statistic against the committed reference figures of test/fixtures/statistics
 * (r.json from R's own functions, scipy.json from SciPy; reference.R and reference.py made
 * them). Tolerance 1e-9 relative unless a case says why not.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mean, sampleVariance } from 'simple-statistics';
import { createMemoryExperimentStore } from '../../../../../gateway/experiments/store/memory.js';
import { compareArms } from '../../../../../gateway/experiments/statistics/compare-arms.js';
import { twoProportionZTest, welchTest } from '../../../../../gateway/experiments/statistics/compare.js';
import { wilsonInterval } from '../../../../../gateway/experiments/statistics/describe.js';
import { chiSquareUpperP } from '../../../../../gateway/experiments/statistics/distributions.js';
import { holmAdjust } from '../../../../../gateway/experiments/statistics/multiple-comparisons.js';
import { noncentralTCdf } from '../../../../../gateway/experiments/statistics/noncentral-t.js';
import { computeResults } from '../../../../../gateway/experiments/statistics/results.js';
import { unitsForMean, unitsForProportion } from '../../../../../gateway/experiments/statistics/sample-size.js';
import { alwaysValidPValue, confidenceSequenceHalfWidth } from '../../../../../gateway/experiments/statistics/sequential.js';
import { chiSquareGoodnessOfFit } from '../../../../../gateway/experiments/statistics/srm.js';
import { repoRoot } from '../../../../helpers/repo-root.js';
import { assertClose, assertIntervalClose } from '../assert-close.js';

type Pair = readonly [number, number];
interface Welch { x: number[]; y: number[]; difference: number; t: number; df: number; p: number; ci: Pair }
interface Fieller { x: number[]; y: number[]; lift: number; ci: Pair; p: number }
interface Score { treatment: Pair; control: Pair; difference: number; differenceCi: Pair; pooledZ: number; lift?: number; liftCi?: Pair }
const fixture = (name: string) => JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/statistics', name), 'utf8'));
const R = fixture('r.json') as {
  welchSleep: Welch; welchNear1e9: Welch; fiellerMtcars: Fieller; fiellerNear1e9: Fieller;
  propTest: { treatment: Pair; control: Pair; z2: number; p: number }[];
  wilson: { x: number; n: number; ci: Pair }[];
  chiSquareUpper: { df: number; x: number; p: number }[];
  srm: { observed: number[]; weights: number[]; statistic: number; p: number };
  noncentralT: { t: number; df: number; ncp: number; p: number }[];
  powerT: { delta: number; sd: number; alpha: number; power: number; n: number }[];
  powerWelch: { delta: number; controlVariance: number; treatmentVariance: number; alpha: number; power: number; n: number }[];
  powerProp: { p1: number; p2: number; power: number; n: number };
  holm: { p: number[]; adjusted: number[] };
};
const SCIPY = fixture('scipy.json') as {
  scoreIntervals: Score[]; chiSquareUpper: { df: number; x: number; p: number }[];
  welchNear1e9Fractional: { x: number[]; y: number[]; exact: { difference: number; t: number; df: number; p: number }; scipy: { t: number; p: number } };
};

const moments = (x: readonly number[]) => ({ n: x.length, mean: mean([...x]), variance: sampleVariance([...x]), sum: x.reduce((s, v) => s + v, 0) });
const fixed = { alpha: 0.05, sequential: false, sequentialTuningUnits: 5000 };

describe('statistics against the R and SciPy reference fixtures', () => {
  it("Welch's t-test matches R t.test on sleep", () => {
    const r = R.welchSleep;
    const w = welchTest(moments(r.x), moments(r.y), 0.05)!;
    assertClose(w.difference, r.difference, 1e-9, 'difference');
    assertClose(w.t, r.t, 1e-9, 't');
    assertClose(w.df, r.df, 1e-9, 'df');
    assertClose(w.pValue, r.p, 1e-9, 'p');
    assertIntervalClose(w.ci, r.ci, 1e-9, 'ci');
  });

  it("a metric near 1e9, recorded through the store, matches R's t.test to 1e-9", async () => {
    const r = R.welchNear1e9;
    const store = createMemoryExperimentStore();
    const rows = [...r.x.map((value, i) => ({ unit: `t${i}`, variant: 'treatment', value })), ...r.y.map((value, i) => ({ unit: `c${i}`, variant: 'control', value }))];
    for (const row of rows) {
      await store.recordExposure('e', row.variant, row.unit);
      await store.recordOutcomes('e', [{ unit: row.unit, variant: row.variant, metric: 'amount', value: row.value }]);
    }
    const results = computeResults({ id: 'e', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }], metrics: [{ name: 'amount', kind: 'mean' }] }, await store.summary('e'));
    const c = results.metrics[0]!.comparisons[0]!;
    assertClose(c.difference.estimate, r.difference, 1e-9, 'difference');
    assertIntervalClose(c.difference.ci, r.ci, 1e-9, 'ci');
    assert.equal(c.test!.method, 'welch-t');
    assertClose(c.test!.statistic, r.t, 1e-9, 't');
    assertClose(c.test!.method === 'welch-t' ? c.test!.df : null, r.df, 1e-9, 'df');
    assertClose(c.test!.pValue, r.p, 1e-9, 'p');
    assertIntervalClose(c.relativeLift!.ci, R.fiellerNear1e9.ci, 1e-9, 'lift ci');
  });

  it('fractional values near 1e9 with shifted means match the exact figures to 1e-9, where SciPy is 2.6e-7 off', () => {
    // What a store keeps for this: an origin shared by the arms (here the first control value),
    // Σ(x − origin) and the squared deviations; both arms then carry `shifted`.
    const f = SCIPY.welchNear1e9Fractional;
    const origin = f.y[0]!;
    const shifted = (values: number[]) => {
      const m = moments(values.map((v) => v - origin));
      return { n: m.n, mean: origin + m.mean, variance: m.variance, sum: 0, shifted: { origin, mean: m.mean } };
    };
    const w = welchTest(shifted(f.x), shifted(f.y), 0.05)!;
    assertClose(w.difference, f.exact.difference, 1e-9, 'difference');
    assertClose(w.t, f.exact.t, 1e-9, 't');
    assertClose(w.df, f.exact.df, 1e-9, 'df');
    assertClose(w.pValue, f.exact.p, 1e-9, 'p');
    const c = compareArms('mean', shifted(f.x), shifted(f.y), fixed);
    assertClose(c.difference.estimate, f.exact.difference, 1e-9, 'comparison difference');
    assert.ok(Math.abs(f.scipy.t - f.exact.t) / f.exact.t > 1e-7, 'SciPy itself is limited by rounding each mean to a double');
  });

  it("the lift interval is Fieller's at the Welch t quantile, as R's uniroot finds it", () => {
    for (const r of [R.fiellerMtcars, R.fiellerNear1e9]) {
      const c = compareArms('mean', moments(r.x), moments(r.y), fixed);
      assertClose(c.relativeLift!.estimate, r.lift, 1e-9, 'lift');
      assertIntervalClose(c.relativeLift!.ci, r.ci, 1e-9, 'lift ci');
      assertClose(c.test!.pValue, r.p, 1e-9, 'p');
    }
  });

  it('the pooled two-proportion z-test matches R prop.test(correct = FALSE)', () => {
    for (const r of R.propTest) {
      const z = twoProportionZTest({ successes: r.treatment[0], n: r.treatment[1] }, { successes: r.control[0], n: r.control[1] })!;
      assertClose(z.z * z.z, r.z2, 1e-9, `X-squared ${r.treatment}/${r.control}`);
      assertClose(z.pValue, r.p, 1e-9, `p ${r.treatment}/${r.control}`);
    }
  });

  it('the difference and lift intervals of proportions are the score intervals SciPy finds by root-finding', () => {
    for (const s of SCIPY.scoreIntervals) {
      const arm = ([x, n]: Pair) => ({ n, mean: x / n, variance: 0, sum: x });
      const c = compareArms('proportion', arm(s.treatment), arm(s.control), fixed);
      const label = `${s.treatment} vs ${s.control}`;
      assertClose(c.test!.statistic, s.pooledZ, 1e-9, `${label} z`);
      assertIntervalClose(c.difference.ci, s.differenceCi, 1e-9, `${label} difference`);
      assert.ok(c.difference.ci![0] >= -1 && c.difference.ci![1] <= 1, `${label} in [-1, 1]`);
      if (s.liftCi === undefined) assert.equal(c.relativeLift?.ci ?? null, null, `${label} lift ci`);
      else assertIntervalClose(c.relativeLift!.ci, s.liftCi, 1e-9, `${label} lift`);
    }
  });

  it('the Wilson interval matches R prop.test, with exact 0 and 1 at the ends', () => {
    for (const r of R.wilson) {
      const ci = wilsonInterval(r.x, r.n, 0.05);
      assertIntervalClose(ci, r.ci, 1e-9, `${r.x}/${r.n}`);
      if (r.x === 0) assert.equal(ci[0], 0);
      if (r.x === r.n) assert.equal(ci[1], 1);
    }
  });

  it("the chi-square upper tail matches R's pchisq(lower.tail = FALSE) and SciPy's chi2.sf down to 1e-300", () => {
    for (const [i, r] of R.chiSquareUpper.entries()) {
      assertClose(chiSquareUpperP(r.x, r.df), r.p, 1e-9, `R χ² ${r.x} df ${r.df}`);
      assertClose(chiSquareUpperP(r.x, r.df), SCIPY.chiSquareUpper[i]!.p, 1e-9, `SciPy χ² ${r.x} df ${r.df}`);
    }
    const fit = chiSquareGoodnessOfFit(R.srm.observed, R.srm.weights)!;
    assertClose(fit.statistic, R.srm.statistic, 1e-12, 'SRM statistic');
    assertClose(fit.pValue, R.srm.p, 1e-9, 'SRM p');
  });

  it("the noncentral t distribution matches R's pt(q, df, ncp)", () => {
    // R's own error bound for this series is 1e-12 absolute; the values are all above 0.02.
    for (const r of R.noncentralT) assertClose(noncentralTCdf(r.t, r.df, r.ncp), r.p, 1e-9, `t ${r.t} df ${r.df} ncp ${r.ncp}`);
  });

  it("planning for means reproduces R's power.t.test with equal variances and the Welch equation with unequal ones", () => {
    for (const r of R.powerT) {
      const v = r.sd * r.sd;
      assertClose(unitsForMean(r.delta, v, v, { alpha: r.alpha, power: r.power, mde: 1 }), r.n, 1e-9, `delta ${r.delta} sd ${r.sd}`);
    }
    for (const r of R.powerWelch) {
      assertClose(unitsForMean(r.delta, r.controlVariance, r.treatmentVariance, { alpha: r.alpha, power: r.power, mde: 1 }), r.n, 1e-9, 'Welch');
    }
    const p = R.powerProp;
    assertClose(unitsForProportion(p.p1, { alpha: 0.05, power: p.power, mde: p.p2 / p.p1 - 1 }), p.n, 1e-9, 'power.prop.test');
  });

  it("Holm's adjustment matches R p.adjust(p, 'holm')", () => {
    holmAdjust(R.holm.p).forEach((p, i) => assertClose(p, R.holm.adjusted[i]!, 1e-12, `p[${i}]`));
    assert.deepEqual(holmAdjust([]), []);
  });

  it('the confidence sequence matches the normal-mixture boundary and inverts to its p-value', () => {
    // α = 0.05, tuned to 5000 units: ρ² = (−2 ln α + ln(1 − 2 ln α))/5000; c = Nρ²;
    // half-width/se = sqrt((1 + 1/c)(ln(1 + c) − 2 ln α)), computed with Python's math:
    // N = 1000 → 3.363887725782781, 5000 → 3.0352089903762534, 20000 → 3.1271141436879906.
    assertClose(confidenceSequenceHalfWidth(1, 1000, 0.05, 5000), 3.363887725782781, 1e-12, 'N=1000');
    assertClose(confidenceSequenceHalfWidth(1, 5000, 0.05, 5000), 3.0352089903762534, 1e-12, 'N=5000');
    assertClose(confidenceSequenceHalfWidth(2, 20000, 0.05, 5000), 2 * 3.1271141436879906, 1e-12, 'N=20000');
    const half = confidenceSequenceHalfWidth(0.7, 3000, 0.05, 5000);
    assertClose(alwaysValidPValue(half, 0.7, 3000, 0.05, 5000), 0.05, 1e-12, 'p at boundary');
    assert.equal(alwaysValidPValue(0, 0.7, 3000, 0.05, 5000), 1);
  });
});
