import assert from 'node:assert/strict';
import { it } from 'node:test';
import { emptyStats } from '../../../../gateway/rollout/interval-stats.js';
import { startRollout } from '../../../../gateway/rollout/machine.js';
import type { RuntimeStateStore } from '../../../../gateway/state/store.js';
import type { CanaryRolloutConfig } from '../../../../gateway/config/schema.js';

const CANARY: CanaryRolloutConfig = {
  strategy: 'canary', stable: 'v1', canary: 'v2', steps: [10, 100], interval: 1000,
  analysis: { maxErrorRate: 0.01, minRequests: 1, failureLimit: 2, maxInconclusive: 3, mode: 'enforce' },
};

/** Waits for the next change notice of `route`. */
function nextChange(store: RuntimeStateStore, route: string): Promise<void> {
  return new Promise((resolve) => {
    const off = store.subscribe((r) => {
      if (r !== route) return;
      off();
      resolve();
    });
  });
}

/**
 * The behaviour every RuntimeStateStore has, run against the memory store and the Redis store.
 * `open` gives a fresh, empty store (for Redis: a unique key prefix); `openPeer` a second
 * handle on the same state (another replica), or the same object for the memory store.
 */
export function runtimeStoreContract(open: () => Promise<{ store: RuntimeStateStore; peer: RuntimeStateStore; close: () => Promise<void> }>): void {
  it('stores, reports (to every replica) and deletes route overrides', async () => {
    const { store, peer, close } = await open();
    try {
      const seen = nextChange(peer, 'fraud');
      await store.setOverride('fraud', { fingerprint: 'f1', weights: { canary: 30 }, updatedAt: 5 });
      await seen;
      assert.deepEqual(await peer.getOverride('fraud'), { fingerprint: 'f1', weights: { canary: 30 }, updatedAt: 5 });
      const deleted = nextChange(peer, 'fraud');
      await store.deleteOverride('fraud');
      await deleted;
      assert.equal(await peer.getOverride('fraud'), undefined);
    } finally {
      await close();
    }
  });

  it('keeps rollout states as they were written', async () => {
    const { store, peer, close } = await open();
    try {
      assert.equal(await store.getRollout('fraud'), undefined);
      const state = startRollout('fraud', 'fp', CANARY, 1_000);
      await store.setRollout('fraud', state);
      assert.deepEqual(await peer.getRollout('fraud'), state);
      await store.deleteRollout('fraud');
      assert.equal(await peer.getRollout('fraud'), undefined);
    } finally {
      await close();
    }
  });

  it('stores a rollout state and its weight override in one write, and tells every replica', async () => {
    const { store, peer, close } = await open();
    try {
      const state = startRollout('fraud', 'fp', CANARY, 1_000);
      const override = { fingerprint: 'fp', weights: { canary: 10 }, updatedAt: 1_000 };
      const seen = nextChange(peer, 'fraud');
      await store.setRollout('fraud', state, override);
      await seen;
      assert.deepEqual([await peer.getRollout('fraud'), await peer.getOverride('fraud')], [state, override]);
      await store.deleteRollout('fraud');
      assert.deepEqual([await peer.getRollout('fraud'), await peer.getOverride('fraud')], [undefined, override], 'the override outlives the rollout state');
    } finally {
      await close();
    }
  });

  it('collects every replica\'s pushed measurements and drains them in one step', async () => {
    const { store, peer, close } = await open();
    try {
      const a = emptyStats();
      a.verdicts.success = 3;
      const b = emptyStats();
      b.verdicts.failure = 1;
      b.latency[40] = 1;
      await store.pushStats('fraud', { replica: 'r1', backend: 'v2', stats: a });
      await peer.pushStats('fraud', { replica: 'r2', backend: 'v2', stats: b });
      const drained = await store.drainStats('fraud');
      assert.deepEqual(drained.map((e) => [e.replica, e.backend, e.stats.verdicts.success, e.stats.verdicts.failure, e.stats.latency[40]]).sort(), [
        ['r1', 'v2', 3, 0, undefined], ['r2', 'v2', 0, 1, 1],
      ]);
      assert.deepEqual(await peer.drainStats('fraud'), []);
    } finally {
      await close();
    }
  });

  it('grants a lease that its holder renews', async () => {
    const { store, close } = await open();
    try {
      assert.equal(await store.tryLease('analysis', 'r1', 1_000), true);
      assert.equal(await store.tryLease('analysis', 'r1', 1_000), true);
    } finally {
      await close();
    }
  });
}
