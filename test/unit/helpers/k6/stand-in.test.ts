import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrivals, durationMs } from '../../../helpers/k6/schedule.js';
import { evaluateThresholds, parseSelector, type Sample } from '../../../helpers/k6/thresholds.js';

/** The k6 stand-in judges the k6 scripts, so its schedule and thresholds are held to k6's arithmetic. */

describe('k6 stand-in: arrival schedule', () => {
  it('reads k6 durations', () => {
    assert.equal(durationMs('1m30s'), 90_000);
    assert.equal(durationMs('500ms'), 500);
    assert.equal(durationMs('2h'), 7_200_000);
    assert.throws(() => durationMs('30'), /not a k6 duration/);
  });

  it('constant-arrival-rate: rate × duration iterations, evenly spaced from 0', () => {
    const { atMs, totalMs } = arrivals({ executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '2s' });
    assert.equal(totalMs, 2000);
    assert.deepEqual(atMs.map((t) => Math.round(t)), [0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800]);
  });

  it('ramping-arrival-rate: the integral of a linear rate, stage by stage', () => {
    // 2/s for 1 s (2), 2→6/s over 1 s (4), 6/s for 1 s (6): 12 arrivals, the 13th due at 3 s is past the end.
    const { atMs, totalMs } = arrivals({
      executor: 'ramping-arrival-rate', startRate: 2, timeUnit: '1s',
      stages: [{ target: 2, duration: '1s' }, { target: 6, duration: '1s' }, { target: 6, duration: '1s' }],
    });
    assert.equal(totalMs, 3000);
    assert.equal(atMs.length, 12);
    assert.deepEqual(atMs.slice(0, 2).map((t) => Math.round(t)), [0, 500]);
    // The third arrival is due when 2 + 2t + 2t² = 2 in the ramp: at its start, 1000 ms.
    assert.equal(Math.round(atMs[2]!), 1000);
    assert.ok(atMs.every((t, i) => i === 0 || t > atMs[i - 1]!));
  });

  it('runs only the arrival-rate executors', () => {
    assert.throws(() => arrivals({ executor: 'constant-vus', duration: '1s' }), /not constant-vus/);
  });
});

describe('k6 stand-in: thresholds', () => {
  const sample = (metric: string, kind: Sample['kind'], value: number, tags: Record<string, string> = {}): Sample => ({ metric, kind, value, tags });
  const trend = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => sample('lat', 'trend', v, { phase: v > 5 ? 'after' : 'before' }));

  it('selects samples by metric and tags', () => {
    assert.deepEqual(parseSelector('http_req_duration{status:200, traffic:user}'), { metric: 'http_req_duration', tags: { status: '200', traffic: 'user' } });
    assert.throws(() => parseSelector('x{status}'), /has no ':'/);
  });

  it("computes k6's percentiles (linear between ranks), rates, counts; with a tag filter", () => {
    const results = evaluateThresholds({
      lat: ['p(95)<9.55', 'p(95)<=9.55', 'med==5.5', 'avg==5.5', 'max<10'],
      'lat{phase:after}': ['min>=6'],
      errors: ['rate<0.5'],
      reqs: ['count>2', 'rate==2'],
    }, [...trend, sample('errors', 'rate', 1), sample('errors', 'rate', 0), sample('reqs', 'counter', 2), sample('reqs', 'counter', 2)], 2000);
    assert.deepEqual(results.map((r) => [r.key, r.expression, r.value, r.ok]), [
      ['lat', 'p(95)<9.55', 9.549999999999999, true],
      ['lat', 'p(95)<=9.55', 9.549999999999999, true],
      ['lat', 'med==5.5', 5.5, true],
      ['lat', 'avg==5.5', 5.5, true],
      ['lat', 'max<10', 10, false],
      ['lat{phase:after}', 'min>=6', 6, true],
      ['errors', 'rate<0.5', 0.5, false],
      ['reqs', 'count>2', 4, true],
      ['reqs', 'rate==2', 2, true],
    ]);
  });

  it('passes a threshold no sample matched, as k6 does, and accepts the object form', () => {
    const [result] = evaluateThresholds({ 'lat{phase:nowhere}': [{ threshold: 'p(95)<1' }] }, trend, 1000);
    assert.deepEqual(result, { key: 'lat{phase:nowhere}', expression: 'p(95)<1', value: undefined, ok: true });
  });

  it('rejects what k6 would reject', () => {
    assert.throws(() => evaluateThresholds({ lat: ['p95<1'] }, trend, 1000), /not a threshold expression/);
    assert.throws(() => evaluateThresholds({ lat: ['rate<1'] }, trend, 1000), /no 'rate' for a trend/);
  });
});
