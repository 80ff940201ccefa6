import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatInterval, formatMetricValue, formatMs, formatNumber, formatP, formatPercent, formatRate } from '../../../../../gateway/admin/dashboard/lib/format.js';

describe('dashboard number formats', () => {
  it('write each kind of figure one way, and a dash for none', () => {
    assert.equal(formatPercent(0.0123), '1.23 %');
    assert.equal(formatPercent(null), '–');
    assert.equal(formatPercent(NaN), '–');
    assert.equal(formatNumber(0.012345), '0.01235');
    assert.equal(formatNumber(1234.5), '1235');
    assert.equal(formatNumber(-3), '-3');
    assert.equal(formatNumber(undefined), '–');
    assert.equal(formatMs(12.5), '12.5 ms');
    assert.equal(formatMs(null), '–');
    assert.equal(formatP(0.04567), '0.0457');
    assert.equal(formatP(0.00001), '< 0.0001');
    assert.equal(formatP(null), '–');
    assert.equal(formatInterval([0.1, 0.25]), '[0.1, 0.25]');
    assert.equal(formatInterval(null), '–');
    assert.equal(formatInterval([0.1, 0.25], formatPercent), '[10.00 %, 25.00 %]');
    assert.equal(formatMetricValue('proportion', 0.3429), '34.29 %');
    assert.equal(formatMetricValue('mean', 11.968), '11.97');
    assert.equal(formatRate(4.66), '4.7/s');
    assert.equal(formatRate(null), '–');
  });
});
