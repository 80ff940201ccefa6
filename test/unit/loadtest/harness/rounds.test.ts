import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, medianBy, roundRatios } from '../../../../loadtest/harness/rounds.js';

describe('alternating-round helpers', () => {
  it('pairs each round with its own baseline before sorting', () => {
    // Round 2 is slow on both sides: its ratio is still 0.5, not 10/40.
    assert.deepEqual(roundRatios([30, 10, 24], [60, 20, 30]), [0.5, 0.5, 0.8]);
  });

  it('takes the middle value, the upper one for an even count', () => {
    assert.equal(median([0.1, 0.5, 0.9]), 0.5);
    assert.equal(median([1, 2, 3, 4]), 3);
  });

  it('picks the item whose key is the median', () => {
    const runs = [{ id: 'a', rps: 300 }, { id: 'b', rps: 100 }, { id: 'c', rps: 200 }];
    assert.equal(medianBy(runs, (r) => r.rps).id, 'c');
  });
});
