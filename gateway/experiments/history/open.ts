import type { StoreConfig } from '../../config/schema.js';
import type { ResultsHistory } from './history.js';
import { createMemoryResultsHistory } from './memory.js';
import { createRedisResultsHistory } from './redis.js';

/** Where the results history lives: beside the experiment data (Redis with store.redis, else memory). */
export function openResultsHistory(config: StoreConfig | undefined): ResultsHistory {
  if (config === undefined) return createMemoryResultsHistory();
  // The sampler logs its failures; the connection's own errors would repeat them on every reconnect.
  return createRedisResultsHistory({ redis: config.redis, keyPrefix: config.keyPrefix, onError: () => undefined });
}
