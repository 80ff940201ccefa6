import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { deleteKeys, REDIS_URL, redisSkip } from '../../../helpers/redis.js';
import { MemoryJobStore, type JobRecord, type JobStore } from '../../../../worker/jobs/job-store.js';
import { RedisJobStore } from '../../../../worker/jobs/redis-job-store.js';

const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;

function job(id: string): JobRecord {
  const at = '2026-11-24T00:00:00.000Z';
  return { id, model: 'm', version: '1', created: at, updated: at, chunkSize: 2, totalInstances: 3, totalChunks: 2, state: 'queued', completedChunks: 0 };
}

/** The same behaviour from both stores (STYLE: stores have an in-memory twin, one suite). */
function jobStoreSuite(name: string, make: () => JobStore, skip: string | false = false): void {
  describe(`${name} job store`, { skip }, () => {
    it('keeps chunks and results in order, counts a chunk saved twice once, and lists unfinished jobs', async () => {
      const store = make();
      const id = randomUUID();
      try {
        await store.create(job(id), [[[1], [2]], [[3]]]);
        assert.deepEqual(await store.chunk(id, 1), [[3]]);
        assert.ok((await store.unfinished()).includes(id));
        await store.saveResult(id, 1, ['c']);
        await store.saveResult(id, 0, ['a', 'b']);
        await store.saveResult(id, 0, ['x', 'y']);
        assert.deepEqual(await store.results(id), ['a', 'b', 'c']);
        assert.deepEqual([...(await store.completed(id))].sort(), [0, 1]);
        assert.equal((await store.get(id))!.completedChunks, 2);
        await store.setState(id, 'failed', '2026-11-24T00:00:01.000Z', 'because');
        const got = await store.get(id);
        assert.deepEqual([got!.state, got!.updated, got!.error], ['failed', '2026-11-24T00:00:01.000Z', 'because']);
        assert.ok(!(await store.unfinished()).includes(id));
        assert.equal(await store.get(randomUUID()), undefined);
      } finally {
        await store.close();
      }
    });
  });
}

jobStoreSuite('memory', () => new MemoryJobStore());

const redisSkipped = await redisSkip();

jobStoreSuite('Redis', () => new RedisJobStore(REDIS_URL, PREFIX), redisSkipped);

describe('Redis job leases', { skip: redisSkipped }, () => {
  after(() => deleteKeys(PREFIX));

  it('lets one owner hold a job, renew it, and give it up', async () => {
    const store = new RedisJobStore(REDIS_URL, PREFIX);
    try {
      const id = randomUUID();
      assert.equal(await store.claim(id, 'a', 10_000), true);
      assert.equal(await store.claim(id, 'b', 10_000), false);
      assert.equal(await store.claim(id, 'a', 10_000), true);
      await store.release(id, 'b');
      assert.equal(await store.claim(id, 'b', 10_000), false, 'only the holder can release');
      await store.release(id, 'a');
      assert.equal(await store.claim(id, 'b', 10_000), true);
    } finally {
      await store.close();
    }
  });
});
