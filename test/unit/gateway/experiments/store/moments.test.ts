import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleVariance } from 'simple-statistics';
import { addUnit, combineValue, EMPTY_MOMENTS, removeUnit, replaceUnit, toMetricMoments } from '../../../../../gateway/experiments/store/moments.js';
import { assertClose } from '../assert-close.js';

describe('running moments', () => {
  it('adds units with Welford updates', () => {
    const m = [2, 4, 4, 4, 5, 5, 7, 9].reduce(addUnit, EMPTY_MOMENTS);
    // Σ = 40, mean 5, Σ(x − 5)² = 32, sample variance 32/7.
    assert.deepEqual(toMetricMoments(m), { n: 8, mean: 5, variance: 32 / 7, sum: 40 });
  });

  it('replaces a unit\'s total as if the unit had been added with its new value', () => {
    let m = [10, 20, 30].reduce(addUnit, EMPTY_MOMENTS);
    m = replaceUnit(m, 20, 26); // rows are now 10, 26, 30
    const got = toMetricMoments(m);
    assert.equal(got.n, 3);
    assert.equal(got.sum, 66);
    assertClose(got.mean, 22, 1e-15, 'mean');
    assertClose(got.variance, sampleVariance([10, 26, 30]), 1e-14, 'variance');
    assert.equal(replaceUnit(m, 26, 26), m);
  });

  it('removes a unit as if it had never been added, and the last one leaves nothing', () => {
    const m = removeUnit([10, 26, 30, 1000].reduce(addUnit, EMPTY_MOMENTS), 1000);
    const got = toMetricMoments(m);
    assert.deepEqual({ n: got.n, sum: got.sum }, { n: 3, sum: 66 });
    assertClose(got.mean, 22, 1e-15, 'mean');
    assertClose(got.variance, sampleVariance([10, 26, 30]), 1e-13, 'variance');
    assert.deepEqual(removeUnit(addUnit(EMPTY_MOMENTS, 7), 7), EMPTY_MOMENTS);
  });

  it('has no variance below two units and never a negative one', () => {
    assert.deepEqual(toMetricMoments(addUnit(EMPTY_MOMENTS, 3)), { n: 1, mean: 3, variance: null, sum: 3 });
    assert.equal(toMetricMoments({ n: 2, mean: 1, m2: -1e-18, sum: 2, shiftedSum: 2 }).variance, 0);
  });

  it('sums outcomes, or keeps the largest for max', () => {
    assert.deepEqual([combineValue(undefined, 2), combineValue(2, 3), combineValue(1, 0, 'max'), combineValue(0, 1, 'max'), combineValue(undefined, 0, 'max')], [2, 5, 1, 1, 0]);
  });
});
