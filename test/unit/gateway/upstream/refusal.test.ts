import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordProbe } from '../../../../gateway/health/prober.js';
import { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';
import { takeOutOfRotation } from '../../../../gateway/upstream/refusal.js';

describe('an endpoint that refuses connections', () => {
  it('leaves the rotation at once and comes back with its first successful probe', async () => {
    const [a, b] = [new UpstreamEndpoint('http://127.0.0.1:1'), new UpstreamEndpoint('http://127.0.0.1:2')];
    try {
      assert.deepEqual(takeOutOfRotation(a, [a, b], 5_000), { from: 'unknown', to: 'down', reason: 'connect ECONNREFUSED' });
      assert.equal(a.healthy, false);
      assert.equal(a.probeError, 'connect ECONNREFUSED');
      assert.equal(a.healthSince, 5_000);
      // Already out: no second transition, no second log line.
      assert.equal(takeOutOfRotation(a, [a, b], 6_000), undefined);
      assert.equal(a.healthSince, 5_000);
      recordProbe(a, undefined, 7_000, 2);
      assert.equal(a.healthy, true);
    } finally {
      await Promise.all([a.pool.destroy(), a.h1.destroy(), b.pool.destroy(), b.h1.destroy()]);
    }
  });

  it("stays in when it is the backend's last endpoint in rotation", async () => {
    const [a, b] = [new UpstreamEndpoint('http://127.0.0.1:1'), new UpstreamEndpoint('http://127.0.0.1:2')];
    try {
      b.healthy = false;
      assert.equal(takeOutOfRotation(a, [a, b], 1_000), undefined);
      assert.equal(a.healthy, undefined);
      assert.equal(takeOutOfRotation(a, [a], 1_000), undefined);
      assert.equal(a.healthy, undefined);
    } finally {
      await Promise.all([a.pool.destroy(), a.h1.destroy(), b.pool.destroy(), b.h1.destroy()]);
    }
  });
});
