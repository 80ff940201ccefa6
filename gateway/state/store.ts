import type { IntervalStats } from '../rollout/interval-stats.js';
import type { RolloutState } from '../rollout/machine.js';

/**
 * A runtime change an operator made through the admin API, on top of the YAML. Tagged with the
 * fingerprint of the route's target config it was made against: once a reload changes that
 * config (new backends, new YAML weights), the override no longer applies and is deleted.
 */
export interface RouteOverride {
  readonly fingerprint: string;
  /** Canary: { canary: N } (percent); experiment: every variant's weight (percent, adding up to 100). */
  readonly weights?: Readonly<Record<string, number>>;
  /** Blue-green: the backend serving all traffic, when switched away from the YAML's `active`. */
  readonly active?: string;
  /** Epoch ms the override was made, for the admin API. */
  readonly updatedAt: number;
  /** 'rollout': the rollout controller's own step, which the admin API does not report as overridden; absent: an operator's change. */
  readonly by?: 'rollout';
}

/**
 * Runtime state shared by gateway replicas: in memory for one replica, Redis (a later twin)
 * for many. Small and async on purpose; the request path never calls it, it reads the route
 * table the gateway rebuilds from it when `subscribe` reports a change.
 *
 * A store that cannot reach its backing service rejects with 503 STORE_UNAVAILABLE, and a
 * write rejected that way has not happened and never happens later.
 */
export interface RuntimeStateStore {
  getOverride(route: string): Promise<RouteOverride | undefined>;
  setOverride(route: string, override: RouteOverride): Promise<void>;
  deleteOverride(route: string): Promise<void>;
  /** The rollout of a canary route (step, phase, analyses, history); undefined: none started. */
  getRollout(route: string): Promise<RolloutState | undefined>;
  /**
   * Stores a rollout state and, when given, the route's override with it, in one step: both
   * land or neither does, so a command answered with an error leaves no half of itself behind
   * for the next rollout tick to complete.
   */
  setRollout(route: string, state: RolloutState, override?: RouteOverride): Promise<void>;
  deleteRollout(route: string): Promise<void>;
  /** Adds one replica's measurements of a route (since its last push) to what the analysis will read. */
  pushStats(route: string, entry: StatsEntry): Promise<void>;
  /** Every pushed entry of a route, removed in the same step (the analysis of one interval). */
  drainStats(route: string): Promise<StatsEntry[]>;
  /**
   * Takes or renews a lease for `holder` for ttlMs; true when holder has it. One replica at a
   * time runs the rollout analysis; a holder that dies loses it when ttlMs passes unrenewed.
   */
  tryLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  /**
   * Reports a route whose override changed (in this or, with Redis, another replica), or
   * ALL_ROUTES when changes may have been missed (Redis reconnected); returns unsubscribe.
   */
  subscribe(listener: (route: string) => void): () => void;
  close(): Promise<void>;
}

/** One replica's measurements of one backend of a route over part of an interval. */
export interface StatsEntry {
  readonly replica: string;
  readonly backend: string;
  readonly stats: IntervalStats;
}

/** What `subscribe` reports when every route must be re-read (its changes may have been missed). */
export const ALL_ROUTES = '*';
