import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mean, sampleVariance } from 'simple-statistics';
import { chanceToBeatControl } from '../../../../../gateway/experiments/statistics/chance-to-beat.js';
import { computeResults } from '../../../../../gateway/experiments/statistics/results.js';
import { repoRoot } from '../../../../helpers/repo-root.js';
import { assertClose } from '../assert-close.js';

type Pair = readonly [number, number];
const R = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/statistics/r.json'), 'utf8')) as {
  chanceToBeatMtcars: { x: number[]; y: number[]; chance: number };
  chanceToBeatSleep: { x: number[]; y: number[]; chance: number };
  chanceToBeatProp: { treatment: Pair; control: Pair; chance: number }[];
};

const arm = (x: readonly number[]) => ({ n: x.length, mean: mean([...x]), variance: sampleVariance([...x]), sum: x.reduce((s, v) => s + v, 0) });
/** A proportion arm; the chance uses p(1 − p), so the stored variance is irrelevant here. */
const rate = ([x, n]: Pair) => ({ n, mean: x / n, variance: 0, sum: x });

describe('chance to beat control (flat prior, normal approximation of the relative lift)', () => {
  it('matches the R figures for means (mtcars, sleep) and proportions', () => {
    for (const r of [R.chanceToBeatMtcars, R.chanceToBeatSleep]) {
      assertClose(chanceToBeatControl('mean', 'increase', arm(r.x), arm(r.y)), r.chance, 1e-12, 'mean');
      assertClose(chanceToBeatControl('mean', 'decrease', arm(r.x), arm(r.y)), 1 - r.chance, 1e-9, 'mean, lower is better');
    }
    for (const r of R.chanceToBeatProp) {
      assertClose(chanceToBeatControl('proportion', 'increase', rate(r.treatment), rate(r.control)), r.chance, 1e-12, `${r.treatment.join('/')} vs ${r.control.join('/')}`);
    }
  });

  it('is null where the comparison has no test or no relative lift, and flips with a negative control mean', () => {
    assert.equal(chanceToBeatControl('mean', 'increase', { n: 1, mean: 1, variance: 0, sum: 1 }, arm([1, 2, 3])), null, 'one unit');
    assert.equal(chanceToBeatControl('mean', 'increase', arm([1, 2]), arm([-1, 1])), null, 'control mean 0');
    assert.equal(chanceToBeatControl('proportion', 'increase', rate([0, 10]), rate([0, 10])), null, 'no conversions');
    // Control −2, treatment −1: the treatment is higher, so it beats control when higher is better.
    const chance = chanceToBeatControl('mean', 'increase', arm([-1.5, -0.5]), arm([-2.5, -1.5]))!;
    assert.ok(chance > 0.5, `chance ${chance}`);
  });

  it('sits beside each comparison of the results, labelled, and never changes the verdict', () => {
    const r = R.chanceToBeatMtcars;
    const moments = (x: readonly number[]) => ({ ...arm(x), variance: sampleVariance([...x]) });
    const results = computeResults(
      { id: 'cars', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }], metrics: [{ name: 'mpg', kind: 'mean' }] },
      { variants: { control: { exposures: r.y.length, metrics: { mpg: moments(r.y) } }, treatment: { exposures: r.x.length, metrics: { mpg: moments(r.x) } } } },
      { alpha: 1e-6 },
    );
    const c = results.metrics[0]!.comparisons[0]!;
    assertClose(c.chanceToBeatControl, r.chance, 1e-9, 'chance');
    assert.equal(c.verdict, 'inconclusive', 'a 99.97 % chance is not a verdict at alpha 1e-6');
    assert.equal(results.chanceToBeatControl.label, 'Chance to beat control (Bayesian, flat prior, normal approximation)');
  });
});
