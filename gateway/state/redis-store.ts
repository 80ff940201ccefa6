import { Redis } from 'ioredis';
import type { RolloutState } from '../rollout/machine.js';
import { fencedWrite, type KeyChange } from './fenced-write.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, readyGate } from './redis-connection.js';
import { ALL_ROUTES, type RouteOverride, type RuntimeStateStore, type StatsEntry } from './store.js';
import { changeNotMade, stateNotRead } from './unavailable.js';

export interface RedisStateStoreOptions {
  /** A Redis URL; the store opens two connections (commands, and one subscribed to changes). */
  readonly url: string;
  /** Prepended to every key and the channel, e.g. 'switchyard:' (tests use a unique one per run). */
  readonly keyPrefix: string;
  /** Per command, ms: a Redis that stops answering fails the call after this long. Default 500. */
  readonly commandTimeoutMs?: number;
  /** Connection errors (the clients keep reconnecting in the background). */
  readonly onError?: (err: Error) => void;
}

/** TCP connect and ready check of the first connection, ms. */
const CONNECT_TIMEOUT_MS = 1000;

/** Pushed measurements older than this are dropped by Redis, ms: nobody read them (no leader). */
const STATS_TTL_MS = 10 * 60_000;

/** Renews the lease when the caller holds it, else takes it when free. KEYS[1] lease; ARGV holder, ttl ms. */
const TRY_LEASE = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if current == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE_LEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * The runtime store for many replicas: overrides and rollout states as JSON strings, pushed
 * measurements as a list per route, the analysis lease as a key with a TTL. Every write of an
 * override publishes the route's name on `<prefix>state:changes`; each replica's subscriber
 * connection hears it and re-reads, so a change reaches every replica in milliseconds.
 *
 * Overrides and rollout states change only through fenced writes (fenced-write.ts): a change
 * that failed (503 STORE_UNAVAILABLE) never takes effect later, even when Redis was only hung
 * and runs the command once it resumes. Failed reads and writes come back as 503
 * STORE_UNAVAILABLE, never as an internal error.
 */
export class RedisStateStore implements RuntimeStateStore {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<(route: string) => void>();
  private readonly channel: string;
  private readonly ready: Promise<unknown>;
  /** Resolves when the command connection can write now (fails at once while it reconnects). */
  private readonly writable: () => Promise<void>;
  /** How long a write stays valid on Redis's clock, ms: half the command timeout (fenced-write.ts). */
  private readonly fenceMs: number;

  constructor(private readonly options: RedisStateStoreOptions) {
    const common = {
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
    };
    this.redis = new Redis(options.url, common);
    this.writable = readyGate(this.redis, CONNECT_TIMEOUT_MS);
    this.fenceMs = common.commandTimeout / 2;
    this.subscriber = new Redis(options.url, { ...common, commandTimeout: undefined });
    const onError = options.onError ?? (() => undefined);
    this.redis.on('error', onError);
    this.subscriber.on('error', onError);
    this.channel = `${options.keyPrefix}state:changes`;
    this.subscriber.on('message', (channel: string, route: string) => {
      if (channel === this.channel) for (const listener of this.listeners) listener(route);
    });
    // ioredis re-subscribes after a reconnect by itself, but only to channels it once joined:
    // a subscription that failed (Redis down at start) is made again at every 'ready'. What
    // changed while this replica was cut off is unknown, so listeners then re-read every route
    // (at the first connection too, which costs one read per route).
    this.ready = this.subscriber.subscribe(this.channel);
    this.ready.catch(() => undefined); // reported through onError; retried below
    this.subscriber.on('ready', () => {
      void this.subscriber.subscribe(this.channel).then(
        () => { for (const listener of this.listeners) listener(ALL_ROUTES); },
        () => undefined,
      );
    });
  }

  /** Resolves once the change subscription is active (so no change published after it is missed). */
  whenSubscribed(): Promise<unknown> {
    return this.ready;
  }

  private key(kind: string, route: string): string {
    return `${this.options.keyPrefix}state:${kind}:${route}`;
  }

  getOverride(route: string): Promise<RouteOverride | undefined> {
    return this.read(`the override of route '${route}'`, 'override', route);
  }

  setOverride(route: string, override: RouteOverride): Promise<void> {
    return this.write(`the change to route '${route}'`, route, [{ key: this.key('override', route), value: JSON.stringify(override) }]);
  }

  deleteOverride(route: string): Promise<void> {
    return this.write(`the change to route '${route}'`, route, [{ key: this.key('override', route), value: null }]);
  }

  getRollout(route: string): Promise<RolloutState | undefined> {
    return this.read(`the rollout of route '${route}'`, 'rollout', route);
  }

  setRollout(route: string, state: RolloutState, override?: RouteOverride): Promise<void> {
    const changes: KeyChange[] = [{ key: this.key('rollout', route), value: JSON.stringify(state) }];
    if (override !== undefined) changes.push({ key: this.key('override', route), value: JSON.stringify(override) });
    // Replicas hear of a new rollout state only when it moves the route's weights.
    return this.write(`the change to the rollout of route '${route}'`, override === undefined ? undefined : route, changes);
  }

  deleteRollout(route: string): Promise<void> {
    return this.write(`the change to the rollout of route '${route}'`, undefined, [{ key: this.key('rollout', route), value: null }]);
  }

  /** A JSON value, or a 503 that says what could not be read. */
  private async read<T>(what: string, kind: string, route: string): Promise<T | undefined> {
    try {
      return parse<T>(await this.redis.get(this.key(kind, route)));
    } catch (err) {
      throw stateNotRead(what, err);
    }
  }

  /** Changes keys together through a fenced write, telling replicas about `route` when given; a 503 that says what was not made. */
  private async write(what: string, route: string | undefined, changes: readonly KeyChange[]): Promise<void> {
    try {
      await this.writable();
      await fencedWrite(this.redis, changes, this.fenceMs, route === undefined ? undefined : { channel: this.channel, message: route });
    } catch (err) {
      throw changeNotMade(what, err);
    }
  }

  async pushStats(route: string, entry: StatsEntry): Promise<void> {
    const key = this.key('stats', route);
    await this.redis.multi().rpush(key, JSON.stringify(entry)).pexpire(key, STATS_TTL_MS).exec();
  }

  async drainStats(route: string): Promise<StatsEntry[]> {
    const key = this.key('stats', route);
    const result = await this.redis.multi().lrange(key, 0, -1).del(key).exec();
    const items = (result?.[0]?.[1] ?? []) as string[];
    return items.map((text) => JSON.parse(text) as StatsEntry);
  }

  async tryLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(TRY_LEASE, 1, this.key('lease', name), holder, String(ttlMs))) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.redis.eval(RELEASE_LEASE, 1, this.key('lease', name), holder);
  }

  /** Deletes one of this store's keys; tests clean up their prefix with it (never FLUSHDB). */
  async deleteKeyForTest(kind: string, route: string): Promise<void> {
    await this.redis.del(this.key(kind, route));
  }

  subscribe(listener: (route: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    // quit() waits for a reply a dead Redis never sends; nothing pending matters at close.
    const ready = (client: Redis) => client.status === 'ready';
    await Promise.allSettled([this.subscriber, this.redis].map((c) => (ready(c) ? c.quit() : Promise.resolve(c.disconnect()))));
  }
}

function parse<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}
