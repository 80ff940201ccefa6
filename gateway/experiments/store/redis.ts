import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { SwitchyardError } from '../../../protocol/errors.js';
import { fencedWrite } from '../../state/fenced-write.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, failFastRedisOptions, readyGate } from '../../state/redis-connection.js';
import { toMetricMoments } from './moments.js';
import { OUTCOME_ARITY, RECORD_EXPOSURE, RECORD_OUTCOMES } from './redis-scripts.js';
import {
  assertStorable, DEFAULT_IDEMPOTENCY_TTL_MS, outcomesUnconfirmed, storeUnavailable,
  type ExperimentStore, type ExperimentSummary, type ExportedUnit, type MetricMoments, type RecordResult,
} from './store.js';

export interface RedisStoreOptions {
  /** A Redis URL (the store owns that client) or a client shared with the rest of the gateway. */
  readonly redis: string | Redis;
  /** Prepended to every key, e.g. 'switchyard:'. */
  readonly keyPrefix?: string;
  /** Clock in ms since the epoch, for idempotency-key expiry. */
  readonly now?: () => number;
  readonly idempotencyTtlMs?: number;
  /** Per command, ms: a Redis that stops answering fails the call after this long. Default 500. */
  readonly commandTimeoutMs?: number;
  /** TCP connect and ready check, ms. Default 1000. */
  readonly connectTimeoutMs?: number;
  /** Connection errors (the client keeps reconnecting in the background). */
  readonly onError?: (err: Error) => void;
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function byUnit(a: ExportedUnit, b: ExportedUnit): number {
  return a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0;
}

/** Splits "metric:rest" at the first colon (metric names have none). */
function splitField(field: string): [string, string] {
  const at = field.indexOf(':');
  return [field.slice(0, at), field.slice(at + 1)];
}

/** The replies of a MULTI … EXEC, or the first command's error. */
function transactionReplies(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new Error('the summary transaction was discarded');
  const failed = replies.find(([err]) => err !== null);
  if (failed !== undefined) throw failed[0]!;
  return replies.map(([, value]) => value);
}

/** "n mean m2 sum shiftedSum"; four fields (before origins) mean origin 0, so shiftedSum = sum. */
function parseMoments(packed: string, origin: number): MetricMoments {
  const [n, mean, m2, sum, shiftedSum] = packed.split(' ').map(Number) as [number, number, number, number, number | undefined];
  return toMetricMoments({ n, mean, m2, sum, shiftedSum: shiftedSum ?? sum }, origin);
}

/**
 * The experiment store for many gateway replicas. Keys of one experiment share the hash tag
 * `{id}`, so a Redis Cluster keeps them on one slot, as Lua scripts require.
 */
export function createRedisExperimentStore(options: RedisStoreOptions): ExperimentStore {
  const owned = typeof options.redis === 'string';
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const redis = typeof options.redis === 'string'
    ? new Redis(options.redis, failFastRedisOptions(options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, connectTimeoutMs))
    : options.redis;
  const onError = options.onError ?? (() => {});
  if (owned) redis.on('error', onError);
  const prefix = options.keyPrefix ?? '';
  const now = options.now ?? Date.now;
  const ttlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;

  const keys = (id: string) => {
    const base = `${prefix}experiment:{${id}}:`;
    return {
      stopped: `${base}stopped`, exposed: `${base}exposed`, exposures: `${base}exposures`,
      owners: `${base}owners`, totals: `${base}totals`, moments: `${base}moments`, idempotency: `${base}idempotency`,
      multiArm: `${base}multiArm`, multiCounts: `${base}multiCounts`, pending: `${base}pending`,
      pendingTotal: `${base}pendingTotal`, metrics: `${base}metrics`, products: `${base}products`, origins: `${base}origins`,
    };
  };

  const ready = readyGate(redis, connectTimeoutMs);
  /** How long an admin change stays valid on Redis's clock, ms: half the client's command timeout (a shared client's own). */
  const fenceMs = (redis.options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_MS) / 2;

  /** Runs `work` once connected; a Redis error becomes `whatFailed` (a string: STORE_UNAVAILABLE saying so). */
  async function guarded<T>(whatFailed: string | ((cause: unknown) => SwitchyardError), work: () => Promise<T>): Promise<T> {
    try {
      await ready();
      return await work();
    } catch (err) {
      if (err instanceof SwitchyardError) throw err;
      throw typeof whatFailed === 'string' ? storeUnavailable(whatFailed, err) : whatFailed(err);
    }
  }

  async function runScript(script: string, sha: string, keyList: string[], args: string[]): Promise<unknown> {
    try {
      return await redis.evalsha(sha, keyList.length, ...keyList, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(script, keyList.length, ...keyList, ...args);
    }
  }
  const exposureSha = sha1(RECORD_EXPOSURE);
  const outcomesSha = sha1(RECORD_OUTCOMES);

  async function scanHash(key: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan(key, cursor, 'COUNT', 1000);
      for (let i = 0; i < flat.length; i += 2) out.set(flat[i]!, flat[i + 1]!);
      cursor = next;
    } while (cursor !== '0');
    return out;
  }

  return {
    recordExposure(experimentId, variant, unit) {
      const k = keys(experimentId);
      return guarded('the exposure was not counted', async () =>
        (await runScript(RECORD_EXPOSURE, exposureSha, [
          k.stopped, k.exposed, k.exposures, k.multiArm, k.multiCounts, k.pending, k.pendingTotal, k.metrics, k.totals, k.moments, k.products, k.origins,
        ], [unit, variant])) === 1);
    },

    async recordOutcomes(experimentId, outcomes, idempotencyKey): Promise<RecordResult> {
      assertStorable(outcomes);
      const k = keys(experimentId);
      const args = [idempotencyKey ?? '', String(now()), String(ttlMs)];
      for (const o of outcomes) args.push(o.unit, o.variant, o.metric, String(o.value), o.combine ?? 'sum');
      if (args.length !== 3 + outcomes.length * OUTCOME_ARITY) throw new Error('outcome arity mismatch');
      return guarded((cause) => outcomesUnconfirmed(idempotencyKey, cause), async () => {
        const keyList = [k.owners, k.idempotency, k.exposed, k.multiArm, k.pending, k.pendingTotal, k.metrics, k.totals, k.moments, k.products, k.origins];
        const [accepted, duplicate] = (await runScript(RECORD_OUTCOMES, outcomesSha, keyList, args)) as [number, number];
        return { accepted, duplicate: duplicate === 1 };
      });
    },

    summary(experimentId): Promise<ExperimentSummary> {
      const k = keys(experimentId);
      return guarded('results could not be read', async () => {
        // One MULTI, so the counts and the moments are read at one point of the join.
        const replies = await redis.multi().hgetall(k.exposures).hgetall(k.multiCounts).hgetall(k.moments)
          .hlen(k.pending).get(k.pendingTotal).hgetall(k.products).hgetall(k.origins).exec();
        const [exposures, multiCounts, moments, pendingUnits, pendingOutcomes, products, origins] = transactionReplies(replies) as
          [Record<string, string>, Record<string, string>, Record<string, string>, number, string | null, Record<string, string>, Record<string, string>];
        const variants = new Map<string, { exposures: number; multiArm: number; metrics: [string, MetricMoments][]; products: [string, number][] }>();
        const variant = (name: string) => {
          let v = variants.get(name);
          if (v === undefined) variants.set(name, (v = { exposures: 0, multiArm: 0, metrics: [], products: [] }));
          return v;
        };
        for (const [name, count] of Object.entries(exposures)) variant(name).exposures = Number(count);
        for (const [name, count] of Object.entries(multiCounts)) variant(name).multiArm = Number(count);
        for (const [field, packed] of Object.entries(moments).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          const [metric, name] = splitField(field);
          variant(name).metrics.push([metric, parseMoments(packed, Object.hasOwn(origins, metric) ? Number(origins[metric]) : 0)]);
        }
        for (const [field, sum] of Object.entries(products).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          const [first, rest] = splitField(field);
          const [second, name] = splitField(rest);
          variant(name).products.push([`${first}:${second}`, Number(sum)]);
        }
        const sorted = [...variants].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return {
          variants: Object.fromEntries(sorted.map(([name, v]) => [name, {
            exposures: v.exposures, multiArm: v.multiArm, metrics: Object.fromEntries(v.metrics),
            ...(v.products.length > 0 && { products: Object.fromEntries(v.products) }),
          }])),
          neverExposed: { units: pendingUnits, outcomes: Number(pendingOutcomes ?? 0) },
        };
      });
    },

    exportUnits(experimentId): Promise<ExportedUnit[]> {
      const k = keys(experimentId);
      return guarded('units could not be read', async () => {
        const [exposed, owners, totals, multiArm] = await Promise.all([scanHash(k.exposed), scanHash(k.owners), scanHash(k.totals), scanHash(k.multiArm)]);
        const metricsOf = new Map<string, [string, number][]>();
        for (const [field, total] of [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          const [metric, unit] = splitField(field);
          let list = metricsOf.get(unit);
          if (list === undefined) metricsOf.set(unit, (list = []));
          list.push([metric, Number(total)]);
        }
        const units = new Set([...exposed.keys(), ...owners.keys()]);
        return [...units].map((unit) => ({
          unit,
          variant: exposed.get(unit) ?? owners.get(unit)!,
          exposed: exposed.has(unit),
          multiArm: multiArm.has(unit),
          metrics: Object.fromEntries(metricsOf.get(unit) ?? []),
        })).sort(byUnit);
      });
    },

    // Stop and reset are admin changes: fenced (state/fenced-write.ts), so one answered 503
    // never happens later, when a hung Redis resumes.
    stop(experimentId) {
      return guarded('the experiment was not stopped, and will not be later', async () => {
        await fencedWrite(redis, [{ key: keys(experimentId).stopped, value: '1' }], fenceMs);
      });
    },

    isStopped(experimentId) {
      return guarded('the stop flag could not be read', async () => (await redis.exists(keys(experimentId).stopped)) === 1);
    },

    reset(experimentId) {
      return guarded('the experiment was not reset, and will not be later', async () => {
        await fencedWrite(redis, Object.values(keys(experimentId)).map((key) => ({ key, value: null })), fenceMs);
      });
    },

    async close() {
      if (owned) redis.disconnect();
    },
  };
}
