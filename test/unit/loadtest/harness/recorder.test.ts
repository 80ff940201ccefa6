import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Recorder } from '../../../../loadtest/harness/recorder.js';

describe('Recorder', () => {
  const recorder = new Recorder();
  recorder.add({ atMs: 0, latencyMs: 10, status: 200, version: '1' });
  recorder.add({ atMs: 100, latencyMs: 20, status: 200, version: '1' });
  recorder.add({ atMs: 200, latencyMs: 30, status: 200, version: '2' });
  recorder.add({ atMs: 1500, latencyMs: 40, status: 503, version: '' });
  recorder.add({ atMs: 1600, latencyMs: 5000, status: 0, version: '' });
  recorder.add({ atMs: 1700, latencyMs: 50, status: 200, version: '' });

  it('summarises throughput, latency, errors by status and the share of each version among 2xx answers', () => {
    assert.deepEqual(recorder.summary(2), {
      requests: 6,
      seconds: 2,
      throughput: 3,
      latency: { p50: 30, p90: 5000, p95: 5000, p99: 5000, p999: 5000, max: 5000 },
      errors: { '503': 1, conn: 1 },
      versions: { '1': 0.5, '2': 0.25, none: 0.25 },
    });
  });

  it('buckets answers by the second they arrived in', () => {
    const timeline = recorder.timeline();
    assert.equal(timeline.length, 7);
    assert.deepEqual(timeline[0], { second: 0, requests: 3, errors: 0, p50: 20, p99: 30 });
    assert.deepEqual(timeline[1], { second: 1, requests: 2, errors: 1, p50: 40, p99: 50 });
    assert.equal(timeline[3]!.requests, 0);
    assert.ok(Number.isNaN(timeline[3]!.p50), 'a second with no answer has no latency');
    assert.deepEqual(timeline[6], { second: 6, requests: 1, errors: 1, p50: 5000, p99: 5000 });
  });

  it('counts a request that got no answer as "timeout" or "conn", by why', () => {
    const r = new Recorder();
    r.add({ atMs: 0, latencyMs: 10_000, status: 0, version: '', failure: 'timeout' });
    r.add({ atMs: 0, latencyMs: 1, status: 0, version: '', failure: 'conn' });
    r.add({ atMs: 0, latencyMs: 1, status: 0, version: '' });
    assert.deepEqual(r.summary(1).errors, { timeout: 1, conn: 2 });
  });
});
