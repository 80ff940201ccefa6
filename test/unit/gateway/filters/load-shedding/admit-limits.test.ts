import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admitLimits } from '../../../../../gateway/filters/load-shedding/filter.js';

describe('load shedding by priority class', () => {
  it('gives low the smallest share of maxInFlight, so it is shed first, and high all of it', () => {
    assert.deepEqual(admitLimits(100), { high: 100, normal: 90, low: 75 });
    assert.deepEqual(admitLimits(4), { high: 4, normal: 3, low: 3 });
    assert.deepEqual(admitLimits(1), { high: 1, normal: 1, low: 1 });
  });
});
