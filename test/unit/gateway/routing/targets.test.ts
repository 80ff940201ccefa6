import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../../gateway/config/load.js';
import type { GatewayConfig } from '../../../../gateway/config/schema.js';
import { bucketOf } from '../../../../gateway/routing/assignment.js';
import { compileTarget, targetFingerprint } from '../../../../gateway/routing/targets.js';
import type { CompiledBackend } from '../../../../gateway/upstream/backend.js';

const YAML = `
backends:
  v1: { endpoints: [http://127.0.0.1:9001] }
  v2: { endpoints: [http://127.0.0.1:9002] }
  v3: { endpoints: [http://127.0.0.1:9003] }
routes:
  - { name: plain, match: { pathPrefix: /plain }, backend: v1 }
  - name: canary
    match: { pathPrefix: /canary }
    rollout: { strategy: canary, stable: v1, canary: v2, steps: [25, 50, 100] }
  - name: bg
    match: { pathPrefix: /bg }
    rollout: { strategy: blueGreen, active: v1, preview: v2 }
  - name: ab
    match: { pathPrefix: /ab }
    experiment:
      id: ab
      unit: header:x-user
      variants: [{ name: control, backend: v1, weight: 40 }, { name: t1, backend: v2, weight: 30 }, { name: t2, backend: v3, weight: 30 }]
`;

function load(): GatewayConfig {
  const loaded = parseConfig(YAML, 'test.yaml', { fileExists: () => true });
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  return loaded.config;
}

const config = load();
const backends = new Map<string, CompiledBackend>(['v1', 'v2', 'v3'].map((n) => [n, { name: n, model: undefined, version: undefined, endpoints: [] }]));
const route = (name: string) => config.routes.find((r) => r.name === name)!;

describe('route targets', () => {
  it('a canary starts at its first step and hashes the unit header with the route name as seed', () => {
    const target = compileTarget(route('canary'), backends, () => 0.99);
    assert.deepEqual(target.view(), { kind: 'canary', stable: 'v1', canary: 'v2', weights: { stable: 75, canary: 25 }, overridden: false });
    for (const unit of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const expected = bucketOf('canary', unit) < 2500 ? 'v2' : 'v1';
      assert.equal(target.select({ 'x-switchyard-unit': unit }).backend.name, expected, unit);
    }
  });

  it('splits unit-less canary requests with the injected random source', () => {
    let next = 0;
    const randoms = [0.1, 0.3, 0.2, 0.9];
    const target = compileTarget(route('canary'), backends, () => randoms[next++]!);
    assert.deepEqual([0, 1, 2, 3].map(() => target.select({}).backend.name), ['v2', 'v1', 'v2', 'v1']);
  });

  it('applies and clears an override of the canary weight', () => {
    const target = compileTarget(route('canary'), backends, () => 0.5);
    target.apply({ fingerprint: target.fingerprint, weights: { canary: 100 }, updatedAt: 0 });
    assert.equal(target.select({ 'x-switchyard-unit': 'anyone' }).backend.name, 'v2');
    target.apply(undefined);
    assert.deepEqual((target.view() as { weights: unknown }).weights, { stable: 75, canary: 25 });
  });

  it('blue-green serves active, preview on x-switchyard-preview: 1, and swaps both when switched', () => {
    const target = compileTarget(route('bg'), backends, Math.random);
    assert.equal(target.select({}).backend.name, 'v1');
    assert.equal(target.select({ 'x-switchyard-preview': '1' }).backend.name, 'v2');
    target.apply({ fingerprint: target.fingerprint, active: 'v2', updatedAt: 0 });
    assert.equal(target.select({}).backend.name, 'v2');
    assert.equal(target.select({ 'x-switchyard-preview': '1' }).backend.name, 'v1');
  });

  it('experiments: treatments in declared order own the low buckets, control the rest; no unit is control', () => {
    const target = compileTarget(route('ab'), backends, () => 0);
    for (let i = 0; i < 50; i++) {
      const unit = `user-${i}`;
      const bucket = bucketOf('ab', unit);
      const expected = bucket < 3000 ? 't1' : bucket < 6000 ? 't2' : 'control';
      assert.equal(target.select({ 'x-user': unit }).variant, expected, unit);
    }
    assert.equal(target.select({}).variant, 'control');
    assert.equal(target.select({ 'x-user': '' }).variant, 'control');
  });

  it('fingerprints only what decides the split', () => {
    const canary = route('canary');
    assert.equal(targetFingerprint(canary), targetFingerprint({ ...canary, match: { pathPrefix: '/other' } }));
    assert.notEqual(targetFingerprint(canary), targetFingerprint({ ...canary, rollout: { ...canary.rollout!, weight: 10 } as typeof canary.rollout }));
  });
});
