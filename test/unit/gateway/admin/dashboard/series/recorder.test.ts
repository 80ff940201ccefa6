import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendTotals } from '../../../../../../gateway/admin/dashboard/lib/prometheus.js';
import type { RouteReading } from '../../../../../../gateway/admin/dashboard/series/recorder.js';
import { SeriesRecorder } from '../../../../../../gateway/admin/dashboard/series/recorder.js';
import { Ring } from '../../../../../../gateway/admin/dashboard/series/ring.js';

const T0 = Date.UTC(2026, 11, 8, 1, 0, 0);

/** Cumulative counters: `fast` requests at 5 ms, `slow` at 200 ms, `errors` of them failed. */
function totals(route: string, backend: string, fast: number, slow: number, errors: number): BackendTotals {
  return {
    route, backend, requests: fast + slow, errors,
    buckets: [[0.005, fast], [0.25, fast + slow], [Infinity, fast + slow]],
  };
}

function canary(weight: number, stable: BackendTotals | undefined, canaryTotals: BackendTotals | undefined): RouteReading {
  return { route: 'fraud', strategy: 'canary', sides: [
    { side: 'stable', backend: 'v1', weight: 100 - weight, totals: stable },
    { side: 'canary', backend: 'v2', weight, totals: canaryTotals },
  ] };
}

function blueGreen(active: string, preview: string): RouteReading {
  return { route: 'bg', strategy: 'blueGreen', sides: [
    { side: 'active', backend: active, weight: 100, totals: undefined },
    { side: 'preview', backend: preview, weight: 0, totals: undefined },
  ] };
}

describe('Ring', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const ring = new Ring<number>(3);
    assert.deepEqual(ring.toArray(), []);
    assert.equal(ring.last(), undefined);
    for (const n of [1, 2, 3, 4, 5]) ring.push(n);
    assert.deepEqual(ring.toArray(), [3, 4, 5]);
    assert.equal(ring.size, 3);
    assert.equal(ring.last(), 5);
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new Ring(0), /ring capacity must be a positive integer; received 0/);
  });
});

describe('SeriesRecorder', () => {
  it('turns cumulative counters into per-interval rate, error rate and p99 for each side', () => {
    const recorder = new SeriesRecorder(10_000);
    recorder.record(T0, [canary(10, totals('fraud', 'v1', 90, 0, 0), totals('fraud', 'v2', 10, 0, 0))]);
    // 10 s later: stable served 180 more (all fast), canary 20 more: 10 fast, 10 slow, 4 errors.
    recorder.record(T0 + 10_000, [canary(10, totals('fraud', 'v1', 270, 0, 0), totals('fraud', 'v2', 20, 10, 4))]);
    const [fraud] = recorder.read(T0);
    assert.equal(fraud!.strategy, 'canary');
    const stable = fraud!.sides.find((s) => s.side === 'stable')!.points;
    const canaryPoints = fraud!.sides.find((s) => s.side === 'canary')!.points;
    // The first sample is the baseline: the weight, no interval figures.
    assert.deepEqual(stable[0], { at: T0, backend: 'v1', weight: 90, requests: 0, ratePerSecond: null, errorRate: null, p99Ms: null });
    assert.deepEqual(stable[1], { at: T0 + 10_000, backend: 'v1', weight: 90, requests: 180, ratePerSecond: 18, errorRate: 0, p99Ms: 4.95 });
    // p99 of 20 requests, 10 in (0, 5 ms] and 10 in (5, 250 ms]: rank 19.8, linear in the second bucket.
    assert.equal(canaryPoints[1]!.requests, 20);
    assert.equal(canaryPoints[1]!.ratePerSecond, 2);
    assert.equal(canaryPoints[1]!.errorRate, 0.2);
    assert.ok(Math.abs(canaryPoints[1]!.p99Ms! - (5 + 245 * 0.98)) < 1e-9, `p99 ${canaryPoints[1]!.p99Ms}`);
  });

  it('gives a side without requests a zero rate and no error rate or p99', () => {
    const recorder = new SeriesRecorder(10_000);
    recorder.record(T0, [canary(0, undefined, undefined)]);
    recorder.record(T0 + 10_000, [canary(0, undefined, undefined)]);
    const point = recorder.read(T0)[0]!.sides[1]!.points[1];
    assert.deepEqual(point, { at: T0 + 10_000, backend: 'v2', weight: 0, requests: 0, ratePerSecond: 0, errorRate: null, p99Ms: null });
  });

  it('keeps at most an hour of samples per side, the oldest dropped first', () => {
    const recorder = new SeriesRecorder(10_000, 60_000);
    assert.equal(recorder.capacity, 7);
    for (let i = 0; i < 10; i++) recorder.record(T0 + i * 10_000, [canary(i, undefined, undefined)]);
    const weights = recorder.read(0)[0]!.sides.find((s) => s.side === 'canary')!.points.map((p) => p.weight);
    assert.deepEqual(weights, [3, 4, 5, 6, 7, 8, 9]);
  });

  it('reads only the points and markers from `since` on', () => {
    const recorder = new SeriesRecorder(10_000);
    for (let i = 0; i < 4; i++) recorder.record(T0 + i * 10_000, [canary(i, undefined, undefined)]);
    const points = recorder.read(T0 + 20_000)[0]!.sides[0]!.points;
    assert.deepEqual(points.map((p) => p.at), [T0 + 20_000, T0 + 30_000]);
  });

  it('marks a blue-green switch at the first sample that sees the other colour active', () => {
    const recorder = new SeriesRecorder(10_000);
    recorder.record(T0, [blueGreen('blue', 'green')]);
    recorder.record(T0 + 10_000, [blueGreen('blue', 'green')]);
    recorder.record(T0 + 20_000, [blueGreen('green', 'blue')]);
    const [bg] = recorder.read(T0);
    assert.deepEqual(bg!.markers, [{ at: T0 + 20_000, event: 'switch', by: 'detected', weight: 100, reason: 'green took over from blue' }]);
    assert.deepEqual(bg!.sides.find((s) => s.side === 'active')!.points.map((p) => p.backend), ['blue', 'blue', 'green']);
  });

  it('counts from zero when a counter went down, and forgets routes that left the config', () => {
    const recorder = new SeriesRecorder(10_000);
    recorder.record(T0, [canary(10, totals('fraud', 'v1', 100, 0, 0), undefined)]);
    recorder.record(T0 + 10_000, [canary(10, totals('fraud', 'v1', 30, 0, 0), undefined)]);
    assert.equal(recorder.read(T0)[0]!.sides[0]!.points[1]!.requests, 30);
    recorder.record(T0 + 20_000, []);
    assert.deepEqual(recorder.read(T0), []);
  });

  it('starts a new series when the route changes strategy', () => {
    const recorder = new SeriesRecorder(10_000);
    recorder.record(T0, [canary(10, undefined, undefined)]);
    recorder.record(T0 + 10_000, [{ ...blueGreen('blue', 'green'), route: 'fraud' }]);
    const [fraud] = recorder.read(T0);
    assert.equal(fraud!.strategy, 'blueGreen');
    assert.deepEqual(fraud!.sides.map((s) => [s.side, s.points.length]), [['active', 1], ['preview', 1]]);
  });
});
