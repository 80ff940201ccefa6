import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import { createRedisExperimentStore } from '../../../../gateway/experiments/store/redis.js';
import { STORE_UNAVAILABLE, type ExperimentStore, type Outcome } from '../../../../gateway/experiments/store/store.js';
import { experimentStoreSuite } from './store-suite.js';
import { deleteKeys, REDIS_URL, redisSkip } from '../../../helpers/redis.js';

const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;
const skip = await redisSkip();
const deleteRunKeys = () => deleteKeys(PREFIX);

function isUnavailable(err: unknown, message: string): boolean {
  return err instanceof SwitchyardError && err.code === STORE_UNAVAILABLE && err.status === 503 && err.message === message;
}

describe('redis experiment store', { skip }, () => {
  after(deleteRunKeys);

  experimentStoreSuite('redis', (options) => createRedisExperimentStore({ redis: REDIS_URL, keyPrefix: PREFIX, ...options }));

  it('gives exact totals when many replicas post at once, whether a unit is exposed before its outcomes or while they arrive', async () => {
    const replicas: ExperimentStore[] = Array.from({ length: 4 }, () => createRedisExperimentStore({ redis: REDIS_URL, keyPrefix: PREFIX }));
    const id = 'concurrent';
    try {
      // 4 replicas × 25 batches × 20 outcomes, all on the same 10 units: 2000 outcomes of 1..4.
      // u0, u5 are exposed first; the others while the posts run, through every replica.
      const armOf = (i: number) => (i < 5 ? 'control' : 'treatment');
      await replicas[0]!.recordExposure(id, 'control', 'u0');
      await replicas[0]!.recordExposure(id, 'treatment', 'u5');
      const posts: Promise<unknown>[] = [];
      for (let i = 0; i < 10; i++) posts.push(replicas[i % 4]!.recordExposure(id, armOf(i), `u${i}`));
      for (const [r, store] of replicas.entries()) {
        for (let b = 0; b < 25; b++) {
          const batch: Outcome[] = Array.from({ length: 20 }, (_, i) => ({
            unit: `u${i % 10}`, variant: armOf(i % 10), metric: 'revenue', value: r + 1,
          }));
          posts.push(store.recordOutcomes(id, batch, `r${r}-b${b}`));
        }
      }
      await Promise.all(posts);
      // Each unit: 4 replicas × 25 batches × 2 outcomes, valued 1+2+3+4 → 50 × 10 = 500.
      const units = await replicas[0]!.exportUnits(id);
      assert.deepEqual(units.map((u) => u.metrics.revenue), Array(10).fill(500));
      // Counts and sums are exact. The variance is updated as each unit's total changes, in
      // whatever order the replicas' scripts ran, so it carries rounding of order 1e-9 around
      // its true 0 (against values of 500): compare it with a tolerance.
      const summary = await replicas[0]!.summary(id);
      for (const variant of ['control', 'treatment']) {
        // The origin is whichever replica's value came first: the shifted mean must agree with it.
        const { variance, shifted, ...rest } = summary.variants[variant]!.metrics.revenue!;
        assert.deepEqual({ exposures: summary.variants[variant]!.exposures, ...rest }, { exposures: 5, n: 5, mean: 500, sum: 2500 });
        assert.equal(shifted!.origin + shifted!.mean, 500);
        assert.ok(variance !== null && Math.abs(variance) < 1e-6, `${variant} variance ${variance}`);
      }
      assert.deepEqual(summary.neverExposed, { units: 0, outcomes: 0 });
    } finally {
      await replicas[0]!.reset(id);
      for (const store of replicas) await store.close();
    }
  });

  it('fails fast with STORE_UNAVAILABLE when Redis refuses connections', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const store = createRedisExperimentStore({ redis: `redis://127.0.0.1:${port}`, keyPrefix: PREFIX });
    try {
      const started = performance.now();
      await assert.rejects(store.recordOutcomes('down', [{ unit: 'u1', variant: 'control', metric: 'revenue', value: 1 }], 'k1'),
        (err: unknown) => isUnavailable(err, 'experiment store (Redis) is unavailable: the outcomes were not confirmed and may still be recorded when Redis answers; retry with idempotencyKey \'k1\', which counts them exactly once; try again later')
          && (err as SwitchyardError).details?.idempotencyKey === 'k1');
      // Later calls find the client reconnecting and fail at once.
      await assert.rejects(store.recordExposure('down', 'control', 'u1'),
        (err: unknown) => isUnavailable(err, 'experiment store (Redis) is unavailable: the exposure was not counted; try again later'));
      await assert.rejects(store.summary('down'),
        (err: unknown) => isUnavailable(err, 'experiment store (Redis) is unavailable: results could not be read; try again later'));
      const elapsedMs = performance.now() - started;
      assert.ok(elapsedMs < 500, `took ${elapsedMs} ms`);
    } finally {
      await store.close();
    }
  });

  it('fails within the timeouts when Redis accepts connections but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const store = createRedisExperimentStore({ redis: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300, commandTimeoutMs: 200 });
    try {
      const started = performance.now();
      await assert.rejects(store.recordOutcomes('hung', [{ unit: 'u1', variant: 'control', metric: 'revenue', value: 1 }]),
        (err: unknown) => err instanceof SwitchyardError && err.code === STORE_UNAVAILABLE);
      const elapsedMs = performance.now() - started;
      assert.ok(elapsedMs < 1000, `took ${elapsedMs} ms`);
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

before(() => {
  if (skip !== false) console.log(`# redis experiment store tests skipped: ${String(skip)}`);
});
