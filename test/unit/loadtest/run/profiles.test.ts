import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, spikeProfile, spikeSeconds } from '../../../../loadtest/run/profiles.js';

describe('rate profiles', () => {
  it('spikes from the base rate to factor × base and back', () => {
    const shape = { before: 10, ramp: 5, hold: 10, after: 10 };
    const rate = spikeProfile(20, 10, shape);
    assert.equal(spikeSeconds(shape), 40);
    assert.deepEqual([0, 9.9, 10, 12.5, 15, 24.9, 25, 27.5, 30, 39].map(rate), [20, 20, 20, 110, 200, 200, 200, 110, 20, 20]);
  });

  it('reads durations in seconds, minutes and hours', () => {
    assert.deepEqual(['45', '45s', '10m', '1.5h'].map(parseDuration), [45, 45, 600, 5400]);
    assert.throws(() => parseDuration('ten minutes'), /a duration such as 30s, 10m or 2h, received 'ten minutes'/);
  });
});
