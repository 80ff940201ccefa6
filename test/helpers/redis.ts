import { Redis } from 'ioredis';

/** The real Redis the integration tests use. */
export const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export async function redisReachable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 500, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * The `skip` option for Redis suites: false when Redis answers. In CI a missing Redis is a
 * failure (.ci/run starts one), never a silent skip.
 */
export async function redisSkip(): Promise<false | string> {
  if (await redisReachable()) return false;
  if (process.env.CI) throw new Error(`CI: no Redis at ${REDIS_URL}; .ci/run should have started one`);
  return `no Redis at ${REDIS_URL} (set SWITCHYARD_TEST_REDIS)`;
}

/** Deletes every key under `prefix`, whatever a failed test left behind. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 });
    for await (const batch of stream) if ((batch as string[]).length > 0) await redis.del(...(batch as string[]));
  } finally {
    redis.disconnect();
  }
}
