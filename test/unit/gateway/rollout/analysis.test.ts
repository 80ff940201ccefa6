import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisConfig } from '../../../../gateway/config/schema.js';
import { analyseInterval } from '../../../../gateway/rollout/analysis.js';
import { bucketUpperMs, emptyStats, latencyBucket, latencyQuantileMs, mergeStats } from '../../../../gateway/rollout/interval-stats.js';
import { comparePredictions, readPrediction } from '../../../../gateway/rollout/prediction.js';

const CONFIG: AnalysisConfig = { maxErrorRate: 0.01, minRequests: 10, failureLimit: 2, maxInconclusive: 3, mode: 'enforce', maxPredictionShift: 0.5 };

describe('interval stats', () => {
  it('puts latencies in 5 % buckets whose upper bound is never below the latency', () => {
    for (const ms of [0.05, 0.1, 0.11, 1, 9.99, 150, 300, 59_000]) {
      const b = latencyBucket(ms);
      assert.ok(bucketUpperMs(b) >= ms - 1e-9, `${ms} ms in bucket ${b} (upper ${bucketUpperMs(b)})`);
      assert.ok(b === 0 || bucketUpperMs(b - 1) < ms, `${ms} ms: the bucket below would do`);
    }
  });

  it('merges by addition, so the p99 of merged replicas is the p99 of all requests', () => {
    const a = emptyStats();
    const b = emptyStats();
    for (let i = 0; i < 98; i++) a.latency[latencyBucket(10)] = (a.latency[latencyBucket(10)] ?? 0) + 1;
    b.latency[latencyBucket(200)] = 2;
    a.verdicts.success = 98;
    b.verdicts.failure = 2;
    const merged = mergeStats(mergeStats(emptyStats(), a), b);
    assert.equal(merged.verdicts.success + merged.verdicts.failure, 100);
    assert.equal(latencyQuantileMs(merged, 0.98), bucketUpperMs(latencyBucket(10)));
    assert.equal(latencyQuantileMs(merged, 0.99), bucketUpperMs(latencyBucket(200)));
    assert.equal(latencyQuantileMs(emptyStats(), 0.99), undefined);
  });
});

describe('reading v2 predictions', () => {
  it('reads top classes of [n, k] outputs, flat or nested, and values of [n] outputs', () => {
    const flat = readPrediction(JSON.stringify({ outputs: [{ name: 'p', shape: [2, 3], datatype: 'FP32', data: [0.1, 0.7, 0.2, 0.5, 0.2, 0.3] }] }));
    assert.deepEqual(flat?.classes, [1, 0]);
    const nested = readPrediction(JSON.stringify({ outputs: [{ shape: [2, 2], data: [[0.9, 0.1], [0.2, 0.8]] }] }));
    assert.deepEqual(nested?.classes, [0, 1]);
    const values = readPrediction(JSON.stringify({ outputs: [{ shape: [3], data: [1, 2, 3] }] }));
    assert.deepEqual([values?.classes, values?.values, values?.width], [undefined, [1, 2, 3], 1]);
  });

  it('gives nothing for what is not a numeric v2 answer', () => {
    for (const body of ['not json', '{}', '{"outputs":[]}', '{"outputs":[{"shape":[1,2],"data":["a","b"]}]}', '{"outputs":[{"shape":[1,3],"data":[1,2]}]}']) {
      assert.equal(readPrediction(body), undefined, body);
    }
  });

  it('compares two answers to the same input: agreeing rows and mean absolute difference', () => {
    const a = readPrediction('{"outputs":[{"shape":[2,2],"data":[0.9,0.1,0.4,0.6]}]}')!;
    const b = readPrediction('{"outputs":[{"shape":[2,2],"data":[0.8,0.2,0.6,0.4]}]}')!;
    const c = comparePredictions(a, b)!;
    assert.equal(c.rows, 2);
    assert.equal(c.agreeing, 1);
    assert.equal(Number(c.meanAbsDiff.toFixed(6)), 0.15);
    assert.equal(comparePredictions(a, readPrediction('{"outputs":[{"shape":[1,2],"data":[1,0]}]}')!), undefined, 'different shapes');
  });
});

describe('interval analysis', () => {
  const served = (success: number, failure: number, classes: Record<number, number> = {}) => {
    const s = emptyStats();
    s.verdicts.success = success;
    s.verdicts.failure = failure;
    Object.assign(s.classes, classes);
    return s;
  };

  it('is inconclusive below minRequests, whatever the errors', () => {
    const result = analyseInterval(CONFIG, 'v1', 'v2', new Map([['v2', served(0, 9)], ['v1', served(100, 0)]]));
    assert.equal(result.verdict, 'inconclusive');
    assert.equal(result.reason, 'the canary served 9 requests, fewer than minRequests (10)');
  });

  it('counts rejections as requests but not as errors, and cancelled requests not at all', () => {
    const s = served(9, 0);
    s.verdicts.rejected = 1;
    s.verdicts.cancelled = 50;
    const result = analyseInterval({ ...CONFIG, maxPredictionShift: undefined }, 'v1', 'v2', new Map([['v2', s], ['v1', served(100, 0)]]));
    assert.equal(result.canary.requests, 10);
    assert.equal(result.canary.errorRate, 0);
    assert.equal(result.verdict, 'pass');
  });

  it('fails on the error rate and names every failed check', () => {
    const result = analyseInterval({ ...CONFIG, maxPredictionShift: 0.1 }, 'v1', 'v2', new Map([
      ['v2', served(18, 2, { 0: 10, 1: 10 })], ['v1', served(100, 0, { 0: 90, 1: 10 })],
    ]));
    assert.equal(result.verdict, 'fail');
    assert.equal(result.reason, 'errorRate 0.1 above 0.01; predictionShift 0.4 above 0.1');
  });

  it('judges the prediction shift only when stable served minRequests too', () => {
    const result = analyseInterval(CONFIG, 'v1', 'v2', new Map([['v2', served(20, 0, { 1: 20 })], ['v1', served(5, 0, { 0: 5 })]]));
    assert.equal(result.verdict, 'inconclusive');
    assert.equal(result.reason, 'predictionShift: stable served 5 requests, fewer than minRequests');
  });

  it('is inconclusive when a prediction threshold is set but no v2 outputs were read', () => {
    const result = analyseInterval(CONFIG, 'v1', 'v2', new Map([['v2', served(20, 0)], ['v1', served(100, 0)]]));
    assert.equal(result.verdict, 'inconclusive');
    assert.equal(result.reason, 'predictionShift: no v2 inference outputs were read');
  });

  it('judges disagreement on the pairs compared', () => {
    const canary = served(20, 0);
    canary.pairs = 20;
    canary.disagreements = 3;
    canary.pairsDropped = 1;
    const result = analyseInterval({ ...CONFIG, maxPredictionShift: undefined, maxDisagreement: 0.1 }, 'v1', 'v2', new Map([['v2', canary]]));
    assert.equal(result.verdict, 'fail');
    assert.equal(result.reason, 'disagreement 0.15 above 0.1');
    assert.deepEqual(result.pairs, { compared: 20, disagreeing: 3, dropped: 1 });
  });
});
