import { addUnit, combineValue, EMPTY_MOMENTS, replaceUnit, toMetricMoments, type RunningMoments } from './moments.js';
import {
  assertStorable, DEFAULT_IDEMPOTENCY_TTL_MS,
  type ExperimentStore, type ExperimentSummary, type ExportedUnit, type Outcome, type RecordResult,
} from './store.js';

export interface MemoryStoreOptions {
  /** Clock in ms since the epoch; injected so idempotency expiry is testable. */
  readonly now?: () => number;
  readonly idempotencyTtlMs?: number;
}

interface ExperimentState {
  stopped: boolean;
  /** unit → variant it was first exposed to. */
  readonly exposed: Map<string, string>;
  readonly exposures: Map<string, number>;
  /** unit → variant its outcomes count for. */
  readonly owners: Map<string, string>;
  /** metric → unit → total. */
  readonly totals: Map<string, Map<string, number>>;
  /** metric → variant → moments. */
  readonly moments: Map<string, Map<string, RunningMoments>>;
  /** idempotency key → expiry, ms since the epoch. */
  readonly seenKeys: Map<string, number>;
}

function emptyState(): ExperimentState {
  return { stopped: false, exposed: new Map(), exposures: new Map(), owners: new Map(), totals: new Map(), moments: new Map(), seenKeys: new Map() };
}

function byKey(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

/**
 * Drops the keys whose time is up. Every post carries a key (the API makes one when the client
 * sends none), so this runs on every post: it stops at the first live key, because a Map keeps
 * insertion order and keys are inserted with nondecreasing expiries (now + one fixed TTL).
 */
function forgetExpiredKeys(seenKeys: Map<string, number>, now: number): void {
  for (const [key, expiresAt] of seenKeys) {
    if (expiresAt > now) return;
    seenKeys.delete(key);
  }
}

/** The single-replica twin of the Redis store; synchronous inside, so every call is atomic. */
export function createMemoryExperimentStore(options: MemoryStoreOptions = {}): ExperimentStore {
  const now = options.now ?? Date.now;
  const ttlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const experiments = new Map<string, ExperimentState>();
  const state = (id: string): ExperimentState => getOrCreate(experiments, id, emptyState);

  function record(s: ExperimentState, o: Outcome): void {
    const owner = getOrCreate(s.owners, o.unit, () => o.variant);
    const totals = getOrCreate(s.totals, o.metric, () => new Map<string, number>());
    const perVariant = getOrCreate(s.moments, o.metric, () => new Map<string, RunningMoments>());
    const moments = perVariant.get(owner) ?? EMPTY_MOMENTS;
    const previous = totals.get(o.unit);
    const next = combineValue(previous, o.value, o.combine);
    totals.set(o.unit, next);
    perVariant.set(owner, previous === undefined ? addUnit(moments, next) : replaceUnit(moments, previous, next));
  }

  return {
    async recordExposure(experimentId, variant, unit) {
      const s = state(experimentId);
      if (s.stopped || s.exposed.has(unit)) return false;
      s.exposed.set(unit, variant);
      s.exposures.set(variant, (s.exposures.get(variant) ?? 0) + 1);
      return true;
    },

    async recordOutcomes(experimentId, outcomes, idempotencyKey): Promise<RecordResult> {
      assertStorable(outcomes);
      const s = state(experimentId);
      const t = now();
      forgetExpiredKeys(s.seenKeys, t);
      if (idempotencyKey !== undefined && s.seenKeys.has(idempotencyKey)) return { accepted: 0, duplicate: true };
      for (const o of outcomes) record(s, o);
      if (idempotencyKey !== undefined) s.seenKeys.set(idempotencyKey, t + ttlMs);
      return { accepted: outcomes.length, duplicate: false };
    },

    async summary(experimentId): Promise<ExperimentSummary> {
      const s = state(experimentId);
      const names = new Set([...s.exposures.keys()]);
      for (const perVariant of s.moments.values()) for (const v of perVariant.keys()) names.add(v);
      const variants = [...names].sort().map((variant) => {
        const metrics = [...s.moments].sort(byKey).flatMap(([metric, perVariant]) => {
          const m = perVariant.get(variant);
          return m === undefined ? [] : [[metric, toMetricMoments(m)] as const];
        });
        return [variant, { exposures: s.exposures.get(variant) ?? 0, metrics: Object.fromEntries(metrics) }] as const;
      });
      return { variants: Object.fromEntries(variants) };
    },

    async exportUnits(experimentId): Promise<ExportedUnit[]> {
      const s = state(experimentId);
      const units = new Set([...s.exposed.keys(), ...s.owners.keys()]);
      return [...units].sort().map((unit) => {
        const metrics = [...s.totals].sort(byKey).flatMap(([metric, totals]) => {
          const total = totals.get(unit);
          return total === undefined ? [] : [[metric, total] as const];
        });
        const variant = s.owners.get(unit) ?? s.exposed.get(unit)!;
        return { unit, variant, exposed: s.exposed.has(unit), metrics: Object.fromEntries(metrics) };
      });
    },

    async stop(experimentId) {
      state(experimentId).stopped = true;
    },

    async isStopped(experimentId) {
      return experiments.get(experimentId)?.stopped ?? false;
    },

    async reset(experimentId) {
      experiments.delete(experimentId);
    },

    async close() {},
  };
}
