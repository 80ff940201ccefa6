import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { backendTotals, breakerStates, fallbackTotals, parsePrometheus, quantileFromBuckets, windowFigures } from '../../../../../gateway/admin/dashboard/lib/prometheus.js';

describe('parsePrometheus', () => {
  it('reads names, labels (escapes included) and values, skipping comments', () => {
    const samples = parsePrometheus('# HELP x y\n# TYPE x counter\nx{a="1",b="q\\"uote\\\\"} 3\ny 4.5\nz{le="+Inf"} +Inf\n\n');
    assert.deepEqual(samples, [
      { name: 'x', labels: { a: '1', b: 'q"uote\\' }, value: 3 },
      { name: 'y', labels: {}, value: 4.5 },
      { name: 'z', labels: { le: '+Inf' }, value: Infinity },
    ]);
  });
});

describe('backendTotals', () => {
  it('sums variants per (route, backend): served requests without cancelled, errors as failure + timeout, cumulative buckets', async () => {
    // The gateway's own metric definitions, through prom-client's real text output.
    const registry = new Registry();
    const requests = new Counter({ name: 'switchyard_gateway_requests_total', help: 'h', labelNames: ['route', 'backend', 'variant', 'outcome'], registers: [registry] });
    const duration = new Histogram({ name: 'switchyard_gateway_request_duration_seconds', help: 'h', labelNames: ['route', 'backend'], buckets: [0.01, 0.1, 1], registers: [registry] });
    requests.labels('r', 'a', 'control', 'success').inc(90);
    requests.labels('r', 'a', 'other', 'success').inc(4);
    requests.labels('r', 'a', 'control', 'failure').inc(3);
    requests.labels('r', 'a', 'control', 'timeout').inc(2);
    requests.labels('r', 'a', 'control', 'rejected').inc(1);
    requests.labels('r', 'a', 'control', 'cancelled').inc(7);
    for (let i = 0; i < 100; i++) duration.labels('r', 'a').observe(i < 98 ? 0.005 : 0.5);
    const [t] = backendTotals(parsePrometheus(await registry.metrics()));
    assert.deepEqual(t, { route: 'r', backend: 'a', requests: 100, errors: 5, buckets: [[0.01, 98], [0.1, 98], [1, 100], [Infinity, 100]] });
  });
});

describe('quantileFromBuckets', () => {
  it('interpolates inside the bucket that holds the rank, as histogram_quantile', () => {
    // Rank 99 of 100: 1 of the 2 observations in (0.1, 1] → 0.1 + 0.9 × 1/2.
    assert.equal(quantileFromBuckets([[0.01, 98], [0.1, 98], [1, 100], [Infinity, 100]], 0.99), 0.55);
    // Rank 0.5 of 1 in the first bucket: from 0.
    assert.equal(quantileFromBuckets([[0.01, 1], [Infinity, 1]], 0.5), 0.005);
  });
  it('answers the highest finite bound when the rank is in +Inf, null without observations', () => {
    assert.equal(quantileFromBuckets([[0.01, 1], [1, 1], [Infinity, 10]], 0.99), 1);
    assert.equal(quantileFromBuckets([[0.01, 0], [Infinity, 0]], 0.99), null);
    assert.equal(quantileFromBuckets([], 0.99), null);
  });
});

describe('windowFigures', () => {
  const earlier = { route: 'r', backend: 'a', requests: 100, errors: 1, buckets: [[0.01, 100], [Infinity, 100]] as [number, number][] };
  const later = { route: 'r', backend: 'a', requests: 150, errors: 11, buckets: [[0.01, 140], [Infinity, 150]] as [number, number][] };
  it('works between two scrapes: rate per second, error rate and p99 of the window only', () => {
    // 50 requests in 10 s, 10 of them errors; of 50 observations 40 ≤ 10 ms, 10 above the last bound.
    assert.deepEqual(windowFigures(later, earlier, 10), { ratePerSecond: 5, requests: 50, errorRate: 0.2, p99Ms: 10 });
  });
  it('works since start without an earlier scrape, and has no rate', () => {
    const f = windowFigures(later, undefined, 0);
    assert.equal(f.ratePerSecond, null);
    assert.equal(f.requests, 150);
    assert.equal(f.errorRate, 11 / 150);
  });
  it('has no error rate or p99 in a window without requests', () => {
    assert.deepEqual(windowFigures(earlier, earlier, 2), { ratePerSecond: 0, requests: 0, errorRate: null, p99Ms: null });
  });
});

describe('breaker and fallback metrics', () => {
  it('read the resilience metrics when they exist', async () => {
    const registry = new Registry();
    const state = new Gauge({ name: 'switchyard_gateway_circuit_breaker_state', help: 'h', labelNames: ['backend', 'mode'], registers: [registry] });
    const fallbacks = new Counter({ name: 'switchyard_gateway_fallback_total', help: 'h', labelNames: ['route', 'kind'], registers: [registry] });
    state.labels('a', 'enforce').set(0);
    state.labels('b', 'observe').set(1);
    state.labels('c', 'enforce').set(2);
    fallbacks.labels('r', 'cache').inc(3);
    fallbacks.labels('r', 'none').inc(2);
    const samples = parsePrometheus(await registry.metrics());
    assert.deepEqual([...breakerStates(samples)], [['a', { state: 'closed', mode: 'enforce' }], ['b', { state: 'open', mode: 'observe' }], ['c', { state: 'half-open', mode: 'enforce' }]]);
    assert.deepEqual([...fallbackTotals(samples)], [['r', 5]]);
  });
  it('are empty without them', () => {
    assert.equal(breakerStates([]).size, 0);
    assert.equal(fallbackTotals([]).size, 0);
  });
});
