import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordProbe } from '../../../../gateway/health/prober.js';
import { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';
import { takeOutOfRotation } from '../../../../gateway/upstream/refusal.js';

describe('an endpoint that refuses connections', () => {
  it('leaves the rotation at once and comes back with its first successful probe', async () => {
    const [a, b] = [new UpstreamEndpoint('http://127.0.0.1:1'), new UpstreamEndpoint('http://127.0.0.1:2')];
    try {
      assert.equal(takeOutOfRotation(a, [a, b]), true);
      assert.equal(a.healthy, false);
      recordProbe(a, true, 1_000, 2);
      assert.equal(a.healthy, true);
    } finally {
      await Promise.all([a.pool.destroy(), a.h1.destroy(), b.pool.destroy(), b.h1.destroy()]);
    }
  });

  it("stays in when it is the backend's last endpoint in rotation", async () => {
    const [a, b] = [new UpstreamEndpoint('http://127.0.0.1:1'), new UpstreamEndpoint('http://127.0.0.1:2')];
    try {
      b.healthy = false;
      assert.equal(takeOutOfRotation(a, [a, b]), false);
      assert.equal(a.healthy, undefined);
      assert.equal(takeOutOfRotation(a, [a]), false);
      assert.equal(a.healthy, undefined);
    } finally {
      await Promise.all([a.pool.destroy(), a.h1.destroy(), b.pool.destroy(), b.h1.destroy()]);
    }
  });
});
