import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, summarise } from '../../../../loadtest/harness/percentiles.js';

describe('percentiles (nearest rank)', () => {
  const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('takes the value at rank ceil(p/100 × n)', () => {
    assert.equal(percentile(oneToTen, 50), 5);
    assert.equal(percentile(oneToTen, 90), 9);
    assert.equal(percentile(oneToTen, 91), 10);
    assert.equal(percentile(oneToTen, 0), 1);
    assert.equal(percentile(oneToTen, 100), 10);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('summarises unsorted latencies into p50/p90/p95/p99/p99.9/max', () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    assert.deepEqual(summarise(thousand), { p50: 500, p90: 900, p95: 950, p99: 990, p999: 999, max: 1000 });
  });
});
