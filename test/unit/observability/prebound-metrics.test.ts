import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { PreboundCounter, PreboundGauge, PreboundHistogram } from '../../../observability/prebound-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED = [0.0005, 0.001, 0.004, 0.2, 0.2, 3, 0.05];

describe('prebound metrics', () => {
  it('expose exactly the text prom-client writes for the same observations', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const counter = new Counter({ name: 'x_requests_total', help: 'Requests.', labelNames: ['route', 'outcome'], registers: [theirs] });
    const histogram = new Histogram({ name: 'x_seconds', help: 'Time.', labelNames: ['route'], buckets: BUCKETS, registers: [theirs] });
    const preCounter = new PreboundCounter(ours, 'x_requests_total', 'Requests.', ['route', 'outcome']);
    const preHistogram = new PreboundHistogram(ours, 'x_seconds', 'Time.', ['route'], BUCKETS);
    for (const route of ['a', 'b']) {
      const ok = preCounter.labels(route, 'success');
      const series = preHistogram.labels(route);
      for (const v of OBSERVED) {
        counter.labels(route, 'success').inc();
        ok.inc();
        histogram.labels(route).observe(v);
        series.observe(v);
      }
    }
    counter.labels('a', 'failure').inc();
    preCounter.labels('a', 'failure').inc();
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.match(await ours.metrics(), /x_seconds_bucket\{le="0.01",route="a"\} 3\n/);
  });

  it('binds one series per label values, exports it once updated, and refuses a wrong number of values', async () => {
    const registry = new Registry();
    const counter = new PreboundCounter(registry, 'y_total', 'Y.', ['route']);
    const histogram = new PreboundHistogram(registry, 'y_seconds', 'Y.', ['route'], BUCKETS);
    const gauge = new PreboundGauge(registry, 'y_depth', 'Y.', ['route']);
    counter.labels('unused');
    histogram.labels('unused');
    gauge.labels('unused');
    assert.equal(await registry.metrics(), '# HELP y_total Y.\n# TYPE y_total counter\n\n# HELP y_seconds Y.\n# TYPE y_seconds histogram\n\n# HELP y_depth Y.\n# TYPE y_depth gauge\n');
    gauge.labels('g').set(0);
    assert.deepEqual((await gauge.get()).values, [{ labels: { route: 'g' }, value: 0 }]);
    counter.labels('r').inc();
    counter.labels('r').inc();
    assert.deepEqual((await counter.get()).values, [{ labels: { route: 'r' }, value: 2 }]);
    assert.throws(() => counter.labels('r', 'extra'), /y_total takes 1 label values, got 2/);
    registry.resetMetrics();
    assert.deepEqual((await counter.get()).values, []);
  });
});
