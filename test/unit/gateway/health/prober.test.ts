import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthProber, probeFailureReason, recordProbe } from '../../../../gateway/health/prober.js';
import { TransitionLog } from '../../../../gateway/health/transition-log.js';
import type { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';
import { captureLog } from '../../../helpers/log-capture.js';

const fresh = (origin: string) => ({ origin, healthy: undefined, consecutiveFailures: 0, checkedAt: undefined, versionReady: new Map() }) as unknown as UpstreamEndpoint;

describe('health probing', () => {
  it('marks a new endpoint at its first result, a known-good one only after 2 failures in a row', () => {
    const e = fresh('a');
    assert.deepEqual(recordProbe(e, undefined, 1000, 2), { from: 'unknown', to: 'up', reason: undefined });
    assert.deepEqual([e.healthy, e.checkedAt, e.healthSince], [true, 1000, 1000]);
    assert.equal(recordProbe(e, 'HTTP 503', 2000, 2), undefined);
    assert.deepEqual([e.healthy, e.probeError], [true, 'HTTP 503']);
    assert.deepEqual(recordProbe(e, 'connect ECONNREFUSED', 3000, 2), { from: 'up', to: 'down', reason: 'connect ECONNREFUSED' });
    assert.deepEqual([e.healthy, e.healthSince, e.probeError], [false, 3000, 'connect ECONNREFUSED']);
    assert.deepEqual(recordProbe(e, undefined, 4000, 2), { from: 'down', to: 'up', reason: undefined });
    assert.deepEqual([e.healthy, e.consecutiveFailures, e.probeError, e.healthSince], [true, 0, undefined, 4000]);
    const down = fresh('b');
    recordProbe(down, 'HTTP 400', 1, 2);
    assert.equal(down.healthy, false);
  });

  it('names why a probe failed in a few words that are the same for every endpoint', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.equal(probeFailureReason(refused, 1000), 'connect ECONNREFUSED');
    assert.equal(probeFailureReason(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 1000), 'ECONNRESET');
    assert.equal(probeFailureReason(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 250), 'timeout after 250 ms');
    assert.equal(probeFailureReason(new Error('HTTP 503'), 1000), 'HTTP 503');
    assert.equal(probeFailureReason('nonsense', 1000), 'probe failed');
  });

  it('logs each change of state once, with the backends and the reason, and not a first probe that passed', async () => {
    const captured = captureLog();
    const a = fresh('http://a:1');
    const failing = new Set<string>();
    const prober = new HealthProber(() => [a], {
      now: () => 7, unhealthyThreshold: 1, events: new TransitionLog(captured.log, { windowMs: 0, clock: { now: () => 7 } }), backendsOf: () => ['one', 'two'],
      probe: async (e) => {
        if (failing.has(e.origin)) throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:1'), { code: 'ECONNREFUSED' });
        return true;
      },
    });
    await prober.probeAll();
    failing.add(a.origin);
    await prober.probeAll();
    await prober.probeAll();
    failing.clear();
    await prober.probeAll();
    assert.deepEqual(captured.lines, [
      { level: 40, event: 'endpoint_health', endpoint: 'http://a:1', backends: ['one', 'two'], from: 'up', to: 'down', reason: 'connect ECONNREFUSED', msg: 'endpoint down: connect ECONNREFUSED' },
      { level: 30, event: 'endpoint_health', endpoint: 'http://a:1', backends: ['one', 'two'], from: 'down', to: 'up', msg: 'endpoint up' },
    ]);
  });

  it('probes every endpoint in a round with the injected probe and clock', async () => {
    const endpoints = [fresh('up'), fresh('down')];
    const prober = new HealthProber(() => endpoints, { now: () => 42, probe: async (e) => e.origin === 'up' });
    await prober.probeAll();
    assert.deepEqual(endpoints.map((e) => [e.origin, e.healthy, e.checkedAt, e.probeError]), [['up', true, 42, undefined], ['down', false, 42, 'probe failed']]);
  });
});

