/**
 * Every statistic against published reference values. Where a source prints few digits the
 * tolerance is half a unit in its last printed place; otherwise 1e-6 relative.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mean, sampleVariance } from 'simple-statistics';
import { normalInterval, relativeLift, twoProportionZTest, welchTest } from '../../../../../gateway/experiments/statistics/compare.js';
import { describeMean, wilsonInterval } from '../../../../../gateway/experiments/statistics/describe.js';
import { holmAdjust } from '../../../../../gateway/experiments/statistics/holm.js';
import { unitsForMean, unitsForProportion } from '../../../../../gateway/experiments/statistics/sample-size.js';
import { alwaysValidPValue, confidenceSequenceHalfWidth } from '../../../../../gateway/experiments/statistics/sequential.js';
import { chiSquareGoodnessOfFit } from '../../../../../gateway/experiments/statistics/srm.js';
import { assertClose, assertIntervalClose } from '../assert-close.js';

const moments = (x: number[]) => ({ n: x.length, mean: mean(x), variance: sampleVariance(x) });

describe('statistics against reference values', () => {
  it("Welch's t-test matches R t.test(extra ~ group, data = sleep)", () => {
    // R datasets::sleep; R 4.x prints: t = -1.8608, df = 17.776, p-value = 0.07939,
    // 95 percent confidence interval: -3.3654832 0.2054832; means 0.75 and 2.33.
    const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const w = welchTest(moments(group1), moments(group2), 0.05)!;
    assertClose(w.difference, 0.75 - 2.33, 1e-12, 'difference');
    assert.ok(Math.abs(w.t - -1.8608) <= 0.00005, `t ${w.t}`);
    assert.ok(Math.abs(w.df - 17.776) <= 0.0005, `df ${w.df}`);
    assert.ok(Math.abs(w.pValue - 0.07939) <= 0.000005, `p ${w.pValue}`);
    assertIntervalClose(w.ci, [-3.3654832, 0.2054832], 1e-6, 'ci');
  });

  it('the one-sample t interval matches R t.test(sleep$extra[1:10])', () => {
    // R: 95 percent confidence interval: -0.5297804 2.0297804; mean of x 0.75.
    const d = describeMean(moments([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]), 0.05);
    assertIntervalClose(d.ci, [-0.5297804, 2.0297804], 1e-6, 'ci');
  });

  it('the Wilson interval matches Newcombe (1998a) Table I, method 3 (score, no continuity correction)', () => {
    // Newcombe RG, Stat Med 17:857-872: 81/263 → 0.2553-0.3662; 15/148 → 0.0624-0.1605;
    // 0/20 → 0-0.1611; 1/29 → 0.0061-0.1718 (4 decimals).
    const cases: [number, number, [number, number]][] = [[81, 263, [0.2553, 0.3662]], [15, 148, [0.0624, 0.1605]], [0, 20, [0, 0.1611]], [1, 29, [0.0061, 0.1718]]];
    for (const [x, n, [lo, hi]] of cases) {
      const [l, h] = wilsonInterval(x, n, 0.05);
      assert.ok(Math.abs(l - lo) <= 0.00005 && Math.abs(h - hi) <= 0.00005, `${x}/${n}: ${l} ${h}`);
    }
  });

  it('the two-proportion test matches statsmodels and R prop.test(correct = FALSE)', () => {
    // statsmodels proportions_ztest docs: count = [5, 12], nobs = [83, 99] → p-value 0.159.
    assert.ok(Math.abs(twoProportionZTest({ successes: 5, n: 83 }, { successes: 12, n: 99 }, 0.05)!.pValue - 0.159) <= 0.0005);
    // Newcombe (1998b) Stat Med 17:873-890, Table II example (a), 56/70 vs 48/80, method 1
    // (Wald): 0.0575 to 0.3425. R prop.test(c(56, 48), c(70, 80), correct = FALSE):
    // X-squared = 7.0234 (= z²), p-value = 0.008045, CI 0.05750490 0.34249510.
    const z = twoProportionZTest({ successes: 56, n: 70 }, { successes: 48, n: 80 }, 0.05)!;
    assert.ok(Math.abs(z.z * z.z - 7.0234) <= 0.00005, `X-squared ${z.z * z.z}`);
    assert.ok(Math.abs(z.pValue - 0.008045) <= 0.0000005, `p ${z.pValue}`);
    assertIntervalClose(z.ci, [0.0575049, 0.3424951], 1e-6, 'ci');
  });

  it("the chi-square goodness of fit matches SciPy's chisquare docs", () => {
    // scipy.stats.chisquare([16, 18, 16, 14, 12, 12]) → statistic 2.0, pvalue 0.84914503608460956.
    const fit = chiSquareGoodnessOfFit([16, 18, 16, 14, 12, 12], [1, 1, 1, 1, 1, 1])!;
    assertClose(fit.statistic, 2.0, 1e-12, 'statistic');
    assert.equal(fit.df, 5);
    assertClose(fit.pValue, 0.84914503608460956, 1e-12, 'p');
    // chisquare([16, 18, 16, 14, 12, 12], f_exp=[16, 16, 16, 16, 16, 8]) → 3.5, 0.62338762774958223.
    const weighted = chiSquareGoodnessOfFit([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8])!;
    assertClose(weighted.statistic, 3.5, 1e-12, 'weighted statistic');
    assertClose(weighted.pValue, 0.62338762774958223, 1e-12, 'weighted p');
  });

  it("Holm's adjustment matches R p.adjust(p, 'holm')", () => {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") → 0.03 0.06 0.06 0.02
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((p, i) => assertClose(adjusted[i], p, 1e-12, `p[${i}]`));
    assert.deepEqual(holmAdjust([0.5, 0.9]), [1, 1]);
    assert.deepEqual(holmAdjust([]), []);
  });

  it('the delta-method lift matches the closed form of Deng et al. (2018)', () => {
    // m_t = 11, s²_t = 9, m_c = 10, s²_c = 4, n = 100 each:
    // Var = 0.09/100 + 121·0.04/10⁴ = 0.001384, se = 0.037202150; z(0.975) = 1.959963985.
    const lift = relativeLift({ n: 100, mean: 11, variance: 9 }, { n: 100, mean: 10, variance: 4 })!;
    assertClose(lift.lift, 0.1, 1e-12, 'lift');
    assertClose(lift.standardError, Math.sqrt(0.001384), 1e-12, 'se');
    assertIntervalClose(normalInterval(lift.lift, lift.standardError, 0.05), [0.027085124920626424, 0.17291487507937375], 1e-9);
    assert.equal(relativeLift({ n: 100, mean: 11, variance: 9 }, { n: 100, mean: 0, variance: 4 }), null);
  });

  it('sample sizes match R power.prop.test and the normal formula for means', () => {
    // R: power.prop.test(p1 = .50, p2 = .75, power = .90) → n = 76.7 (per group).
    assert.ok(Math.abs(unitsForProportion(0.5, { alpha: 0.05, power: 0.9, mde: 0.5 })! - 76.7) <= 0.05);
    // Closed form (Chow, Shao & Wang 2008, §3.2.1): 2(1.959964 + 0.841621)²·σ²/δ², σ/δ = 5 → 392.44.
    assertClose(unitsForMean(10, 4, { alpha: 0.05, power: 0.8, mde: 0.04 }), 392.44398671745427, 1e-9, 'means');
    assert.equal(unitsForProportion(0.6, { alpha: 0.05, power: 0.8, mde: 1 }), null);
  });

  it('the confidence sequence matches the normal-mixture boundary and inverts to its p-value', () => {
    // α = 0.05, tuned to 5000 units: ρ² = (−2 ln α + ln(1 − 2 ln α))/5000; c = Nρ²;
    // half-width/se = sqrt((1 + 1/c)(ln(1 + c) − 2 ln α)), computed with Python's math:
    // N = 1000 → 3.363887725782781, 5000 → 3.0352089903762534, 20000 → 3.1271141436879906.
    assertClose(confidenceSequenceHalfWidth(1, 1000, 0.05, 5000), 3.363887725782781, 1e-12, 'N=1000');
    assertClose(confidenceSequenceHalfWidth(1, 5000, 0.05, 5000), 3.0352089903762534, 1e-12, 'N=5000');
    assertClose(confidenceSequenceHalfWidth(2, 20000, 0.05, 5000), 2 * 3.1271141436879906, 1e-12, 'N=20000');
    // At the boundary the always-valid p equals α; inside it is larger, outside smaller.
    const half = confidenceSequenceHalfWidth(0.7, 3000, 0.05, 5000);
    assertClose(alwaysValidPValue(half, 0.7, 3000, 0.05, 5000), 0.05, 1e-12, 'p at boundary');
    assert.equal(alwaysValidPValue(0, 0.7, 3000, 0.05, 5000), 1);
  });
});
