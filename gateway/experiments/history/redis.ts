import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { DEFAULT_COMMAND_TIMEOUT_MS, failFastRedisOptions, readyGate } from '../../state/redis-connection.js';
import type { HistoryPoint, ResultsHistory } from './history.js';

/**
 * One point per slot, atomically: the first replica to sample a slot records it, the others
 * find it there. The newest ARGV[3] points are kept.
 *   KEYS[1] the sorted set (score: slot start, epoch ms)   ARGV: slotStart, point JSON, maxPoints
 */
const APPEND_POINT = `
if redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1]) > 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[3]) + 1))
return 1
`;
const APPEND_SHA = createHash('sha1').update(APPEND_POINT).digest('hex');

export interface RedisHistoryOptions {
  readonly redis: string;
  readonly keyPrefix?: string;
  readonly onError?: (err: Error) => void;
}

/** The history shared by every replica: a sorted set per experiment, beside its other keys (same hash tag). */
export function createRedisResultsHistory(options: RedisHistoryOptions): ResultsHistory {
  const connectTimeoutMs = 1000;
  const redis = new Redis(options.redis, { ...failFastRedisOptions(DEFAULT_COMMAND_TIMEOUT_MS, connectTimeoutMs), lazyConnect: true });
  redis.on('error', options.onError ?? (() => {}));
  const ready = readyGate(redis, connectTimeoutMs);
  const key = (id: string) => `${options.keyPrefix ?? ''}experiment:{${id}}:history`;

  return {
    async append(id, slotStart, point, maxPoints) {
      await ready();
      const args = [String(slotStart), JSON.stringify(point), String(maxPoints)];
      try {
        return (await redis.evalsha(APPEND_SHA, 1, key(id), ...args)) === 1;
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return (await redis.eval(APPEND_POINT, 1, key(id), ...args)) === 1;
      }
    },
    async read(id) {
      await ready();
      return (await redis.zrange(key(id), 0, -1)).map((text) => JSON.parse(text) as HistoryPoint);
    },
    async reset(id) {
      await ready();
      await redis.del(key(id));
    },
    async close() {
      redis.disconnect();
    },
  };
}
