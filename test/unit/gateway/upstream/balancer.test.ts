import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickEndpoint } from '../../../../gateway/upstream/balancer.js';
import type { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';

const endpoint = (origin: string, inFlight: number, healthy?: boolean) => ({ origin, inFlight, healthy, outlier: { ejectedUntil: 0 } }) as unknown as UpstreamEndpoint;
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('balancer: least outstanding requests by two random choices', () => {
  it('takes the less loaded of the two endpoints drawn', () => {
    const endpoints = [endpoint('a', 5), endpoint('b', 1), endpoint('c', 9)];
    // Draws a (index 0) then, from the other two, b.
    assert.equal(pickEndpoint(endpoints, sequence(0, 0))!.origin, 'b');
    // Draws c then a: a has fewer in flight.
    assert.equal(pickEndpoint(endpoints, sequence(0.9, 0))!.origin, 'a');
  });

  it('skips endpoints a probe found unhealthy, and has nothing when none is left', () => {
    assert.equal(pickEndpoint([endpoint('a', 0, false), endpoint('b', 50, true)], sequence(0, 0))!.origin, 'b');
    assert.equal(pickEndpoint([endpoint('a', 0, false)], Math.random), undefined);
    assert.equal(pickEndpoint([endpoint('new', 0, undefined)], Math.random)!.origin, 'new');
  });

  it('spreads equal load over every endpoint', () => {
    const endpoints = [endpoint('a', 0), endpoint('b', 0), endpoint('c', 0)];
    const seen = new Set<string>();
    let x = 0.123;
    for (let i = 0; i < 100; i++) seen.add(pickEndpoint(endpoints, () => (x = (x * 9301 + 0.49297) % 1))!.origin);
    assert.deepEqual(seen, new Set(['a', 'b', 'c']));
  });
});
