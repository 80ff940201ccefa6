import { Redis } from 'ioredis';
import { FINISHED_STATES, type JobRecord, type JobState, type JobStore } from './job-store.js';

/** How long a finished job's inputs and results stay in Redis, seconds (7 days). */
export const FINISHED_JOB_TTL_SECONDS = 7 * 24 * 3600;

/** Takes the lease when free or already ours; renews it either way. */
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Deletes the lease only if it is ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/**
 * Jobs in Redis. The keys of one job share the hash tag {id} (one Cluster slot):
 * `job:{id}` (hash: record JSON, state, completedChunks, updated, error), `job:{id}:inputs` and
 * `job:{id}:results` (hashes by chunk index, JSON), `job:{id}:lease` (the worker running it);
 * `jobs:unfinished` is the set of ids to resume.
 */
export class RedisJobStore implements JobStore {
  private readonly redis: Redis;
  private readonly owned: boolean;

  constructor(redis: string | Redis, private readonly prefix = 'switchyard:') {
    this.owned = typeof redis === 'string';
    this.redis = typeof redis === 'string' ? new Redis(redis, { maxRetriesPerRequest: 2 }) : redis;
  }

  private key(id: string, part = ''): string {
    return `${this.prefix}job:{${id}}${part}`;
  }

  async create(job: JobRecord, chunks: readonly (readonly unknown[])[]): Promise<void> {
    const { state, completedChunks, updated, error: _error, ...fixed } = job;
    const multi = this.redis.multi();
    multi.hset(this.key(job.id), { record: JSON.stringify(fixed), state, completedChunks: String(completedChunks), updated });
    if (chunks.length > 0) multi.hset(this.key(job.id, ':inputs'), Object.fromEntries(chunks.map((c, i) => [String(i), JSON.stringify(c)])));
    multi.sadd(`${this.prefix}jobs:unfinished`, job.id);
    await multi.exec();
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const h = await this.redis.hgetall(this.key(id));
    if (!h.record) return undefined;
    const record = JSON.parse(h.record) as Omit<JobRecord, 'state' | 'completedChunks' | 'updated'>;
    return { ...record, state: h.state as JobState, completedChunks: Number(h.completedChunks), updated: h.updated ?? record.created, ...(h.error ? { error: h.error } : {}) };
  }

  async chunk(id: string, index: number): Promise<unknown[]> {
    const text = await this.redis.hget(this.key(id, ':inputs'), String(index));
    return text === null ? [] : (JSON.parse(text) as unknown[]);
  }

  async saveResult(id: string, index: number, predictions: readonly unknown[]): Promise<void> {
    // HSETNX then count: a chunk saved twice (a resumed worker repeating it) counts once.
    const added = await this.redis.hsetnx(this.key(id, ':results'), String(index), JSON.stringify(predictions));
    if (added === 1) await this.redis.hincrby(this.key(id), 'completedChunks', 1);
  }

  async completed(id: string): Promise<Set<number>> {
    return new Set((await this.redis.hkeys(this.key(id, ':results'))).map(Number));
  }

  async results(id: string): Promise<unknown[]> {
    const all = await this.redis.hgetall(this.key(id, ':results'));
    return Object.entries(all).map(([k, v]) => [Number(k), JSON.parse(v) as unknown[]] as const).sort(([a], [b]) => a - b).flatMap(([, r]) => r);
  }

  async setState(id: string, state: JobState, updated: string, error?: string): Promise<void> {
    const multi = this.redis.multi();
    multi.hset(this.key(id), { state, updated, ...(error === undefined ? {} : { error }) });
    if (FINISHED_STATES.has(state)) {
      multi.srem(`${this.prefix}jobs:unfinished`, id);
      for (const part of ['', ':inputs', ':results']) multi.expire(this.key(id, part), FINISHED_JOB_TTL_SECONDS);
      multi.del(this.key(id, ':lease'));
    }
    await multi.exec();
  }

  async unfinished(): Promise<string[]> {
    return (await this.redis.smembers(`${this.prefix}jobs:unfinished`)).sort();
  }

  async claim(id: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 1, this.key(id, ':lease'), owner, String(ttlMs))) === 1;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(id, ':lease'), owner);
  }

  async close(): Promise<void> {
    if (this.owned) this.redis.disconnect();
  }
}
