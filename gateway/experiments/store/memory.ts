import { combineValue, EMPTY_MOMENTS, momentsAbout, toMetricMoments, type MomentUpdates, type RunningMoments } from './moments.js';
import {
  assertStorable, DEFAULT_IDEMPOTENCY_TTL_MS, productKey,
  type ExperimentStore, type ExperimentSummary, type ExportedUnit, type Outcome, type RecordResult,
} from './store.js';

export interface MemoryStoreOptions {
  /** Clock in ms since the epoch; injected so idempotency expiry is testable. */
  readonly now?: () => number;
  readonly idempotencyTtlMs?: number;
}

/** One experiment's data; the join rule it keeps is the one described on ExperimentStore. */
interface ExperimentState {
  stopped: boolean;
  /** unit → variant it was first exposed to. */
  readonly exposed: Map<string, string>;
  /** variant → units first exposed to it. */
  readonly exposures: Map<string, number>;
  /** Units exposed to a second arm. */
  readonly multiArm: Set<string>;
  /** first variant → its multi-arm units. */
  readonly multiArmCounts: Map<string, number>;
  /** unit → variant assigned at its first outcome (for the export of units never exposed). */
  readonly owners: Map<string, string>;
  /** unit never exposed → outcomes it posted. */
  readonly pending: Map<string, number>;
  pendingOutcomes: number;
  /** metric → unit → total. */
  readonly totals: Map<string, Map<string, number>>;
  /** metric → its origin: the first value posted for it (moments.ts, momentsAbout). */
  readonly origins: Map<string, number>;
  /** metric → variant → moments over the units analysed there. */
  readonly moments: Map<string, Map<string, RunningMoments>>;
  /** productKey(a, b) → variant → Σ a·b over the units analysed there. */
  readonly products: Map<string, Map<string, number>>;
  /** idempotency key → expiry, ms since the epoch. */
  readonly seenKeys: Map<string, number>;
}

function emptyState(): ExperimentState {
  return {
    stopped: false, exposed: new Map(), exposures: new Map(), multiArm: new Set(), multiArmCounts: new Map(),
    owners: new Map(), pending: new Map(), pendingOutcomes: 0, totals: new Map(), origins: new Map(), moments: new Map(), products: new Map(), seenKeys: new Map(),
  };
}

function byKey(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

/** The moments of the last unit out are deleted, as the Redis store deletes its field. */
function setMoments(perVariant: Map<string, RunningMoments>, variant: string, m: RunningMoments): void {
  if (m.n === 0) perVariant.delete(variant);
  else perVariant.set(variant, m);
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

function updatesOf(s: ExperimentState, metric: string): MomentUpdates {
  return momentsAbout(s.origins.get(metric) ?? 0);
}

/** Adds x to a product sum; 0 changes nothing (the Redis script skips it too, so both hold the same fields). */
function addProduct(s: ExperimentState, key: string, variant: string, x: number): void {
  if (x === 0) return;
  const perVariant = getOrCreate(s.products, key, () => new Map<string, number>());
  perVariant.set(variant, (perVariant.get(variant) ?? 0) + x);
}

/** A unit joins (sign 1) or leaves (sign −1) an arm: every pair of its totals enters or leaves the product sums. */
function moveProducts(s: ExperimentState, unit: string, variant: string, sign: 1 | -1): void {
  const own = [...s.totals].flatMap(([metric, totals]) => {
    const total = totals.get(unit);
    return total === undefined ? [] : [[metric, total] as const];
  });
  for (let i = 0; i < own.length; i++) {
    for (let j = i + 1; j < own.length; j++) addProduct(s, productKey(own[i]![0], own[j]![0]), variant, sign * (own[i]![1] * own[j]![1]));
  }
}

/** A unit's total for `metric` moved by delta: each product with its other totals moves by delta·other. */
function shiftProducts(s: ExperimentState, unit: string, variant: string, metric: string, delta: number): void {
  if (delta === 0) return;
  for (const [other, totals] of s.totals) {
    const total = other === metric ? undefined : totals.get(unit);
    if (total !== undefined) addProduct(s, productKey(metric, other), variant, delta * total);
  }
}

/** The single-replica twin of the Redis store; synchronous inside, so every call is atomic. */
export function createMemoryExperimentStore(options: MemoryStoreOptions = {}): ExperimentStore {
  const now = options.now ?? Date.now;
  const ttlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const experiments = new Map<string, ExperimentState>();
  const state = (id: string): ExperimentState => getOrCreate(experiments, id, emptyState);

  /** Applies `update` to the moments of `variant` for every metric the unit has a total for. */
  function moveTotals(s: ExperimentState, unit: string, variant: string, update: 'addUnit' | 'removeUnit'): void {
    for (const [metric, totals] of s.totals) {
      const total = totals.get(unit);
      if (total === undefined) continue;
      const perVariant = getOrCreate(s.moments, metric, () => new Map<string, RunningMoments>());
      setMoments(perVariant, variant, updatesOf(s, metric)[update](perVariant.get(variant) ?? EMPTY_MOMENTS, total));
    }
  }

  function expose(s: ExperimentState, variant: string, unit: string): boolean {
    if (s.stopped) return false;
    const first = s.exposed.get(unit);
    if (first !== undefined) {
      if (first !== variant && !s.multiArm.has(unit)) {
        s.multiArm.add(unit);
        s.multiArmCounts.set(first, (s.multiArmCounts.get(first) ?? 0) + 1);
        moveTotals(s, unit, first, 'removeUnit');
        moveProducts(s, unit, first, -1);
      }
      return false;
    }
    s.exposed.set(unit, variant);
    s.exposures.set(variant, (s.exposures.get(variant) ?? 0) + 1);
    const pending = s.pending.get(unit);
    if (pending !== undefined) {
      s.pending.delete(unit);
      s.pendingOutcomes -= pending;
      moveTotals(s, unit, variant, 'addUnit');
      moveProducts(s, unit, variant, 1);
    }
    return true;
  }

  function record(s: ExperimentState, o: Outcome): void {
    getOrCreate(s.owners, o.unit, () => o.variant);
    getOrCreate(s.origins, o.metric, () => o.value);
    const totals = getOrCreate(s.totals, o.metric, () => new Map<string, number>());
    const previous = totals.get(o.unit);
    const next = combineValue(previous, o.value, o.combine);
    totals.set(o.unit, next);
    const arm = s.exposed.get(o.unit);
    if (arm === undefined) {
      s.pending.set(o.unit, (s.pending.get(o.unit) ?? 0) + 1);
      s.pendingOutcomes += 1;
      return;
    }
    if (s.multiArm.has(o.unit)) return;
    const perVariant = getOrCreate(s.moments, o.metric, () => new Map<string, RunningMoments>());
    const moments = perVariant.get(arm) ?? EMPTY_MOMENTS;
    const updates = updatesOf(s, o.metric);
    setMoments(perVariant, arm, previous === undefined ? updates.addUnit(moments, next) : updates.replaceUnit(moments, previous, next));
    shiftProducts(s, o.unit, arm, o.metric, previous === undefined ? next : next - previous);
  }

  return {
    async recordExposure(experimentId, variant, unit) {
      return expose(state(experimentId), variant, unit);
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
          return m === undefined ? [] : [[metric, toMetricMoments(m, s.origins.get(metric))] as const];
        });
        const counts = { exposures: s.exposures.get(variant) ?? 0, multiArm: s.multiArmCounts.get(variant) ?? 0 };
        const products = [...s.products].sort(byKey).flatMap(([key, perVariant]) => {
          const sum = perVariant.get(variant);
          return sum === undefined ? [] : [[key, sum] as const];
        });
        return [variant, { ...counts, metrics: Object.fromEntries(metrics), ...(products.length > 0 && { products: Object.fromEntries(products) }) }] as const;
      });
      return { variants: Object.fromEntries(variants), neverExposed: { units: s.pending.size, outcomes: s.pendingOutcomes } };
    },

    async exportUnits(experimentId): Promise<ExportedUnit[]> {
      const s = state(experimentId);
      const units = new Set([...s.exposed.keys(), ...s.owners.keys()]);
      return [...units].sort().map((unit) => {
        const metrics = [...s.totals].sort(byKey).flatMap(([metric, totals]) => {
          const total = totals.get(unit);
          return total === undefined ? [] : [[metric, total] as const];
        });
        const variant = s.exposed.get(unit) ?? s.owners.get(unit)!;
        return { unit, variant, exposed: s.exposed.has(unit), multiArm: s.multiArm.has(unit), metrics: Object.fromEntries(metrics) };
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
