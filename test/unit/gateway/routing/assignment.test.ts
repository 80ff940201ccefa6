import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUCKETS, bucketOf, buildSplit, murmur3x86_32, pickTarget, randomBucket } from '../../../../gateway/routing/assignment.js';

const canarySplit = (w: number) => buildSplit([{ name: 'canary', weight: w }, { name: 'stable', weight: 100 - w }]);

describe('sticky assignment', () => {
  it('is MurmurHash3 x86_32 (seed 0): the published test vectors', () => {
    const h = (s: string, seed = 0) => murmur3x86_32(Buffer.from(s, 'utf8'), seed);
    assert.equal(h(''), 0);
    assert.equal(h('', 1), 0x514e28b7);
    assert.equal(h('a'), 0x3c2569b2);
    assert.equal(h('ab'), 0x9bbfd75f);
    assert.equal(h('abc'), 0xb3dd93fa);
    assert.equal(h('hello'), 613153351);
    assert.equal(h('The quick brown fox jumps over the lazy dog'), 0x2e4ff723);
  });

  it('pins buckets of known (seed, unit) pairs: changing them moves real users (a compatibility contract)', () => {
    // Cross-checked with an independent Python implementation: mmh3.hash(f"{seed}:{unit}", 0, signed=False) % 10000.
    assert.equal(bucketOf('fraud', 'user-1'), 9090);
    assert.equal(bucketOf('fraud', 'user-2'), 2285);
    assert.equal(bucketOf('ranker-2026-11', 'alice'), 610);
    assert.equal(bucketOf('ranker-2026-11', 'bob'), 1998);
    assert.equal(bucketOf('api', '42'), 1650);
    assert.equal(bucketOf('checkout', 'ünïcödé-😀'), 4454);
  });

  it('computes the same buckets in another process', () => {
    const module = fileURLToPath(new URL('../../../../gateway/routing/assignment.js', import.meta.url));
    const script = `import(${JSON.stringify(module)}).then((m) => console.log(JSON.stringify(['u1', 'u2', 'u3'].map((u) => m.bucketOf('exp', u)))))`;
    const out = execFileSync(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim()), ['u1', 'u2', 'u3'].map((u) => bucketOf('exp', u)));
  });

  it('gives each target its share of 100 000 units within 1 percentage point', () => {
    const split = buildSplit([{ name: 'a', weight: 10 }, { name: 'b', weight: 30 }, { name: 'control', weight: 60 }]);
    const counts: Record<string, number> = { a: 0, b: 0, control: 0 };
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[pickTarget(split, bucketOf('share-test', `unit-${i}`))]!++;
    for (const [name, weight] of [['a', 10], ['b', 30], ['control', 60]] as const) {
      assert.ok(Math.abs((counts[name]! / n) * 100 - weight) < 1, `${name}: ${counts[name]} of ${n}`);
    }
  });

  it('only moves units from stable to canary as the canary weight goes 5 → 25 → 50', () => {
    const units = Array.from({ length: 20_000 }, (_, i) => `u${i}`);
    let previous = units.map((u) => pickTarget(canarySplit(5), bucketOf('route', u)));
    for (const weight of [25, 50]) {
      const next = units.map((u) => pickTarget(canarySplit(weight), bucketOf('route', u)));
      next.forEach((target, i) => {
        if (previous[i] === 'canary') assert.equal(target, 'canary', `unit ${units[i]} left the canary at ${weight}%`);
      });
      assert.ok(next.filter((t) => t === 'canary').length > previous.filter((t) => t === 'canary').length);
      previous = next;
    }
  });

  it('maps weights onto bucket bounds newest first, the last target taking any rounding remainder', () => {
    assert.deepEqual(canarySplit(5), { names: ['canary', 'stable'], bounds: [500, BUCKETS] });
    assert.equal(pickTarget(canarySplit(5), 499), 'canary');
    assert.equal(pickTarget(canarySplit(5), 500), 'stable');
    assert.deepEqual(buildSplit([{ name: 'x', weight: 33.333 }, { name: 'y', weight: 33.333 }, { name: 'z', weight: 33.334 }]).bounds, [3333, 6666, 10000]);
    assert.equal(pickTarget(canarySplit(0), 0), 'stable');
  });

  it('draws a bucket from the injected random source for requests without a unit', () => {
    assert.equal(randomBucket(() => 0), 0);
    assert.equal(randomBucket(() => 0.25), 2500);
    assert.equal(randomBucket(() => 0.99999999), BUCKETS - 1);
  });
});
