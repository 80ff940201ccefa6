import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../../observability/logger.js';
import { ExposureRecorder } from '../../../../gateway/experiments/exposure.js';
import { ExperimentMetrics } from '../../../../gateway/experiments/metrics.js';
import { createMemoryExperimentStore } from '../../../../gateway/experiments/store/memory.js';
import type { ExperimentStore } from '../../../../gateway/experiments/store/store.js';

/** A store that counts calls and can be told to fail. */
function countingStore(): { store: ExperimentStore; calls: () => number; failing: (on: boolean) => void } {
  const inner = createMemoryExperimentStore();
  let calls = 0;
  let fail = false;
  return {
    store: {
      ...inner,
      recordExposure(id, variant, unit) {
        calls++;
        return fail ? Promise.reject(new Error('redis down')) : inner.recordExposure(id, variant, unit);
      },
    },
    calls: () => calls,
    failing: (on) => void (fail = on),
  };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

async function counter(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

describe('ExposureRecorder', () => {
  function setup(memoryMs = 1000) {
    let now = 0;
    const registry = new Registry();
    const fake = countingStore();
    const recorder = new ExposureRecorder({ store: fake.store, metrics: new ExperimentMetrics(registry), log: silentLogger(), now: () => now, memoryMs, memoryUnits: 3 });
    return { recorder, registry, fake, advance: (ms: number) => void (now += ms) };
  }

  it('makes one store call per unit while it remembers it, and the store counts the unit once', async () => {
    const { recorder, registry, fake } = setup();
    for (let i = 0; i < 5; i++) recorder.record('exp', 'control', 'u1');
    recorder.record('exp', 'treatment', 'u2');
    await settle();
    assert.equal(fake.calls(), 2);
    assert.equal(await counter(registry, 'switchyard_experiment_exposures_total', { experiment: 'exp', variant: 'control' }), 1);
    assert.equal(await counter(registry, 'switchyard_experiment_exposures_total', { experiment: 'exp', variant: 'treatment' }), 1);
    assert.equal((await fake.store.summary('exp')).variants.control?.exposures, 1);
  });

  it('sends a remembered unit again when the split moves it to another arm, and the store marks it multi-arm', async () => {
    const { recorder, registry, fake } = setup();
    recorder.record('exp', 'control', 'u1');
    recorder.record('exp', 'treatment', 'u1'); // weights changed: the same unit, another arm
    recorder.record('exp', 'treatment', 'u1');
    await settle();
    assert.equal(fake.calls(), 2);
    assert.equal(await counter(registry, 'switchyard_experiment_exposures_total', { experiment: 'exp', variant: 'treatment' }), 0);
    assert.deepEqual((await fake.store.summary('exp')).variants.control, { exposures: 1, multiArm: 1, metrics: {} });
  });

  it('forgets a unit after two quiet rotations; the store still counts it only once', async () => {
    const { recorder, registry, fake, advance } = setup(1000);
    recorder.record('exp', 'control', 'u1');
    advance(1000);
    recorder.record('exp', 'control', 'u1'); // previous generation still has it
    assert.equal(fake.calls(), 1);
    advance(2000);
    recorder.record('exp', 'control', 'u1');
    await settle();
    assert.equal(fake.calls(), 2);
    assert.equal(await counter(registry, 'switchyard_experiment_exposures_total', { experiment: 'exp', variant: 'control' }), 1);
  });

  it('bounds its memory: a full generation rotates', () => {
    const { recorder, fake } = setup(60_000);
    for (const u of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) recorder.record('exp', 'control', u);
    assert.equal(fake.calls(), 7);
    recorder.record('exp', 'control', 'a'); // two rotations ago: asked again
    recorder.record('exp', 'control', 'g'); // current generation
    assert.equal(fake.calls(), 8);
  });

  it('counts a failed call as dropped and tries the unit again on its next request', async () => {
    const { recorder, registry, fake } = setup();
    fake.failing(true);
    recorder.record('exp', 'control', 'u1');
    await settle();
    assert.equal(await counter(registry, 'switchyard_experiment_store_failures_total', { experiment: 'exp', operation: 'exposure' }), 1);
    fake.failing(false);
    recorder.record('exp', 'control', 'u1');
    await settle();
    assert.equal(fake.calls(), 2);
    assert.equal((await fake.store.summary('exp')).variants.control?.exposures, 1);
  });

  it('forget(experiment) makes the next request count again (after a reset)', async () => {
    const { recorder, fake } = setup();
    recorder.record('exp', 'control', 'u1');
    recorder.record('other', 'control', 'u1');
    await settle();
    await fake.store.reset('exp');
    recorder.forget('exp');
    recorder.record('exp', 'control', 'u1');
    recorder.record('other', 'control', 'u1');
    await settle();
    assert.equal(fake.calls(), 3);
    assert.equal((await fake.store.summary('exp')).variants.control?.exposures, 1);
  });
});
