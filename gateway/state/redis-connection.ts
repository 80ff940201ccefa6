import type { Redis } from 'ioredis';

/** How long a command may wait for Redis's answer, ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 500;

/** Connection options that make a dead Redis fail a call at once instead of queueing it. */
export function failFastRedisOptions(commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS, connectTimeoutMs = 1000) {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    // Reconnect in the background, backing off to 2 s; calls meanwhile fail at once.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
  } as const;
}

/**
 * Returns a function that resolves when `redis` can take a command now: it waits out the first
 * connection (up to connectTimeoutMs), and fails at once while the client is reconnecting, so
 * nothing is queued to run after its caller has given up.
 */
export function readyGate(redis: Redis, connectTimeoutMs: number): () => Promise<void> {
  let firstConnect: Promise<void> | undefined;
  // A function, not a field read: the status changes across the awaits below.
  const status = (): string => redis.status;

  function untilReady(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        redis.off('ready', onReady).off('error', done).off('end', onEnd);
        if (err === undefined) resolve(); else reject(err);
      };
      const onReady = () => done();
      const onEnd = () => done(new Error('redis connection ended'));
      const timer = setTimeout(() => done(new Error(`redis not ready after ${connectTimeoutMs} ms`)), connectTimeoutMs);
      redis.once('ready', onReady).once('error', done).once('end', onEnd);
    });
  }

  return async function ready(): Promise<void> {
    if (status() === 'ready') return;
    if (status() === 'wait') firstConnect ??= redis.connect();
    else if (status() === 'connecting' || status() === 'connect') firstConnect ??= untilReady();
    else throw new Error(`redis connection is ${status()}`);
    await firstConnect;
  };
}
