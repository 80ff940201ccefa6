import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SwitchyardError } from '../../../../protocol/errors.js';
import { fencedWrite } from '../../../../gateway/state/fenced-write.js';
import { RedisStateStore } from '../../../../gateway/state/redis-store.js';
import { startRollout } from '../../../../gateway/rollout/machine.js';
import type { CanaryRolloutConfig } from '../../../../gateway/config/schema.js';
import { startPrivateRedis, type PrivateRedis } from '../../../helpers/private-redis.js';
import { redisSkip } from '../../../helpers/redis.js';

const skip = await redisSkip();

const CANARY: CanaryRolloutConfig = {
  strategy: 'canary', stable: 'v1', canary: 'v2', steps: [10, 100], interval: 1000,
  analysis: { maxErrorRate: 0.01, minRequests: 1, failureLimit: 2, maxInconclusive: 3, mode: 'enforce' },
};

/** The ioredis timeout a test client gives up after, ms; the write's fence is half of it. */
const COMMAND_TIMEOUT_MS = 300;

function notMade(what: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof SwitchyardError);
    assert.deepEqual([err.status, err.code, err.message, err.retryAfterSeconds], [503, 'STORE_UNAVAILABLE',
      `runtime store (Redis) is unavailable: ${what} was not made and will not take effect later; send it again once Redis is back`, 1]);
    return true;
  };
}

/**
 * A change the store gave up on must not land when a hung Redis resumes. The private Redis is
 * frozen with SIGSTOP: commands sent meanwhile wait in its socket and run, in order, on SIGCONT.
 */
describe('fenced writes to a Redis that hangs', { skip }, () => {
  let redis: PrivateRedis;
  let client: Redis;

  before(async () => {
    redis = await startPrivateRedis();
    client = new Redis(redis.url, { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 });
  });

  after(async () => {
    redis.thaw();
    client.disconnect();
    await redis.kill();
  });

  it('sets and deletes keys together and publishes its notice while Redis answers', async () => {
    const listener = new Redis(redis.url);
    try {
      await listener.subscribe('changes');
      const notice = once(listener, 'message');
      const changes = [{ key: 'a', value: '1' }, { key: 'b', value: '2' }];
      assert.equal(await fencedWrite(client, changes, COMMAND_TIMEOUT_MS / 2, { channel: 'changes', message: 'route-a' }), 2);
      assert.deepEqual(await notice, ['changes', 'route-a']);
      assert.deepEqual(await client.mget('a', 'b'), ['1', '2']);
      assert.equal(await fencedWrite(client, [{ key: 'a', value: null }, { key: 'missing', value: null }], COMMAND_TIMEOUT_MS / 2), 1);
      assert.deepEqual(await client.mget('a', 'b'), [null, '2']);
    } finally {
      listener.disconnect();
    }
  });

  it('does nothing when the script reaches Redis only after the caller gave up', async () => {
    // Freeze Redis the moment it has told the time: the script is sent to a frozen server, as
    // when Redis hangs between the two commands of a write.
    const frozenAfterTime = new Redis(redis.url, { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 });
    const time = frozenAfterTime.time.bind(frozenAfterTime);
    (frozenAfterTime as { time: () => Promise<unknown> }).time = async () => {
      const t = await time();
      redis.freeze();
      return t;
    };
    try {
      await frozenAfterTime.ping();
      await assert.rejects(fencedWrite(frozenAfterTime, [{ key: 'late', value: 'landed' }], COMMAND_TIMEOUT_MS / 2), /Command timed out/);
      redis.thaw();
      // Same connection: Redis has run the late script before it answers this.
      assert.equal(await frozenAfterTime.get('late'), null, 'the script ran past its deadline and changed nothing');
      assert.equal(await frozenAfterTime.exists('late'), 0);
    } finally {
      redis.thaw();
      frozenAfterTime.disconnect();
    }
  });

  it('answers changes 503 STORE_UNAVAILABLE while Redis is frozen, and none of them lands when it resumes', async () => {
    const store = new RedisStateStore({ url: redis.url, keyPrefix: 'frozen:', commandTimeoutMs: COMMAND_TIMEOUT_MS });
    try {
      await store.whenSubscribed();
      const kept = { fingerprint: 'fp', weights: { canary: 10 }, updatedAt: 1 };
      await store.setOverride('kept', kept);
      redis.freeze();
      await assert.rejects(store.setOverride('fraud', { fingerprint: 'fp', weights: { canary: 30 }, updatedAt: 2 }), notMade('the change to route \'fraud\''));
      await assert.rejects(store.deleteOverride('kept'), notMade('the change to route \'kept\''));
      await assert.rejects(store.setRollout('fraud', startRollout('fraud', 'fp', CANARY, 3), kept), notMade('the change to the rollout of route \'fraud\''));
      await assert.rejects(store.getRollout('fraud'), (err: unknown) => err instanceof SwitchyardError && err.status === 503 && err.code === 'STORE_UNAVAILABLE'
        && err.message === 'runtime store (Redis) is unavailable: the rollout of route \'fraud\' could not be read; try again later');
      redis.thaw();
      // The store's own connection: everything sent during the freeze has run before these answer.
      assert.deepEqual([await store.getOverride('fraud'), await store.getRollout('fraud'), await store.getOverride('kept')], [undefined, undefined, kept]);
    } finally {
      redis.thaw();
      await store.close();
    }
  });
});
