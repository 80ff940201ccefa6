import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStateStore } from '../../../../gateway/state/memory-store.js';

describe('in-memory runtime state store', () => {
  it('stores, reports and deletes route overrides', async () => {
    const store = new MemoryStateStore();
    const changed: string[] = [];
    let notified: () => void = () => undefined;
    const seen = new Promise<void>((resolve) => (notified = resolve));
    const unsubscribe = store.subscribe((route) => {
      changed.push(route);
      notified();
    });
    await store.setOverride('fraud', { fingerprint: 'f1', weights: { canary: 30 }, updatedAt: 5 });
    await seen;
    assert.deepEqual(await store.getOverride('fraud'), { fingerprint: 'f1', weights: { canary: 30 }, updatedAt: 5 });
    await store.deleteOverride('fraud');
    assert.equal(await store.getOverride('fraud'), undefined);
    unsubscribe();
    await store.setOverride('other', { fingerprint: 'f2', updatedAt: 6 });
    await Promise.resolve();
    assert.deepEqual(changed, ['fraud', 'fraud']);
  });
});
