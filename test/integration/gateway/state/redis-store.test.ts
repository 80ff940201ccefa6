import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { RedisStateStore } from '../../../../gateway/state/redis-store.js';
import { runtimeStoreContract } from '../../../unit/gateway/state/store-contract.js';

const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** Two stores (two replicas) on one fresh key prefix; other engineers' tests share this Redis. */
async function openPair() {
  const keyPrefix = `test:state:${randomBytes(6).toString('hex')}:`;
  const store = new RedisStateStore({ url: REDIS_URL, keyPrefix });
  const peer = new RedisStateStore({ url: REDIS_URL, keyPrefix });
  await Promise.all([store.whenSubscribed(), peer.whenSubscribed()]);
  return { store, peer, close: async () => {
    for (const kind of ['override', 'rollout', 'stats', 'lease']) for (const k of ['fraud', 'analysis']) await store.deleteKeyForTest(`${kind}`, k);
    await Promise.all([store.close(), peer.close()]);
  } };
}

describe('runtime store contract: Redis', () => {
  runtimeStoreContract(openPair);

  it('hands the lease to another replica only once the holder stops renewing it', async () => {
    const { store, peer, close } = await openPair();
    try {
      assert.equal(await store.tryLease('analysis', 'r1', 300), true);
      assert.equal(await peer.tryLease('analysis', 'r2', 300), false);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(await store.tryLease('analysis', 'r1', 300), true, 'renewed');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await peer.tryLease('analysis', 'r2', 300), false, 'the renewal moved the expiry');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await peer.tryLease('analysis', 'r2', 300), true, 'expired unrenewed: taken over');
      await peer.releaseLease('analysis', 'r2');
      assert.equal(await store.tryLease('analysis', 'r1', 300), true, 'released: free again');
    } finally {
      await close();
    }
  });
});
