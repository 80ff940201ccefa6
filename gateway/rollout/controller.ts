import type { Logger } from '../../observability/logger.js';
import type { CanaryRolloutConfig, GatewayConfig } from '../config/schema.js';
import type { CompiledRoute } from '../routing/compile.js';
import type { GatewayRuntime } from '../runtime.js';
import type { RouteOverride, RuntimeStateStore } from '../state/store.js';
import { analyseInterval } from './analysis.js';
import type { IntervalStats } from './interval-stats.js';
import { emptyStats, mergeStats } from './interval-stats.js';
import type { IntervalMeter } from './meter.js';
import type { RolloutCommand, RolloutEvent, RolloutState } from './machine.js';
import { applyCommand, goldenScored, intervalEnded, startRollout } from './machine.js';
import type { RolloutMetrics } from './metrics.js';
import type { GoldenScore } from './golden.js';
import { scoreGolden } from './golden.js';

/** How often the controller looks at its rollouts, ms: the resolution of interval ends. */
export const DEFAULT_ROLLOUT_TICK_MS = 250;

/** How long the analysis lease lasts unrenewed, ms: a dead leader's rollouts wait at most this long. */
export const DEFAULT_ANALYSIS_LEASE_MS = 2_000;
/** The lease's name in the store. */
export const ANALYSIS_LEASE = 'rollout-analysis';

export interface RolloutControllerDeps {
  readonly runtime: GatewayRuntime;
  readonly store: RuntimeStateStore;
  /** This replica's measurements; pushed to the store every tick, so the leader's analysis sees every replica. */
  readonly meter: IntervalMeter;
  /** This replica's name in pushed measurements and the lease. */
  readonly replica: string;
  readonly leaseMs?: number;
  readonly metrics: RolloutMetrics;
  readonly log: Logger;
  /** Epoch ms. */
  readonly now: () => number;
  /** Scores a golden data set; injected in tests. */
  readonly scoreGolden?: (route: CompiledRoute, rollout: CanaryRolloutConfig) => Promise<GoldenScore>;
  readonly tickMs?: number;
  /**
   * Told about each event the moment it is stored, in the replica that stored it (the analysis
   * leader, or the one that took a human's command), so each event is reported once. Must not block.
   */
  readonly onEvent?: (route: string, event: RolloutEvent) => void;
}

/**
 * Drives every canary route with steps: starts its rollout (after the golden gate), judges each
 * interval, applies the step machine (machine.ts) and writes the canary weight as the route's
 * override in the store, which every replica's runtime applies. Human commands go through
 * `command`. A rollout whose route target changed in the YAML (another fingerprint) starts over.
 */
/** At most one warning per this long while rollout ticks fail, ms. */
const TICK_WARN_EVERY_MS = 10_000;

export class RolloutController {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly log: Logger;
  private leader = false;

  private failedTicks = 0;
  private lastTickWarnAt = -Infinity;

  constructor(private readonly deps: RolloutControllerDeps) {
    this.log = deps.log.child({ component: 'rollout' });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.tickFailed(err)), this.deps.tickMs ?? DEFAULT_ROLLOUT_TICK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking?.catch(() => undefined); // already reported by its own tick
    if (this.leader) await this.deps.store.releaseLease(ANALYSIS_LEASE, this.deps.replica).catch(() => undefined);
    this.leader = false;
  }

  /** A store outage fails every tick (4 a second): warn once per TICK_WARN_EVERY_MS, with the count. */
  private tickFailed(err: unknown): void {
    this.failedTicks++;
    const t = this.deps.now();
    if (t - this.lastTickWarnAt < TICK_WARN_EVERY_MS) return;
    this.log.warn({ err, failedTicks: this.failedTicks }, 'rollout ticks are failing (is the store down?); trying again every tick');
    this.lastTickWarnAt = t;
    this.failedTicks = 0;
  }

  /** Whether this replica ran the analysis at its last tick. */
  get leading(): boolean {
    return this.leader;
  }

  /** One look at every rollout; ticks never overlap. */
  tick(): Promise<void> {
    this.ticking ??= this.tickOnce().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** The rollout of a route, starting it if needed (status shows it at once). */
  async status(route: CompiledRoute): Promise<RolloutState | undefined> {
    const rollout = canaryOf(route);
    if (rollout === undefined) return undefined;
    const state = await this.deps.store.getRollout(route.name);
    return state !== undefined && state.fingerprint === route.target.fingerprint ? state : undefined;
  }

  async command(route: CompiledRoute, command: RolloutCommand, options: { full?: boolean; reason?: string } = {}): Promise<RolloutState> {
    const rollout = canaryOf(route)!;
    const now = this.deps.now();
    const state = (await this.status(route)) ?? startRollout(route.name, route.target.fingerprint, rollout, now);
    const next = applyCommand(state, rollout, command, now, options);
    // Measurements from before the command belong to another weight or phase.
    await this.take(route.name);
    await this.save(route, state, next);
    return next;
  }

  private async tickOnce(): Promise<void> {
    const routes = this.deps.runtime.current.routes.filter((r) => canaryOf(r) !== undefined);
    for (const route of routes) await this.push(route.name);
    const leader = await this.deps.store.tryLease(ANALYSIS_LEASE, this.deps.replica, this.deps.leaseMs ?? DEFAULT_ANALYSIS_LEASE_MS);
    if (leader !== this.leader) {
      this.leader = leader;
      this.log.info({ event: leader ? 'rollout_lease_taken' : 'rollout_lease_lost', replica: this.deps.replica }, leader ? 'this replica runs the rollout analysis' : 'another replica runs the rollout analysis');
    }
    if (leader) for (const route of routes) await this.advance(route, canaryOf(route)!);
    // Every replica copies stable's requests to the canary while the rollout is in its shadow phase.
    for (const route of routes) {
      const state = await this.status(route);
      if (state?.phase === 'shadow') this.deps.meter.shadowing.add(route.name);
      else this.deps.meter.shadowing.delete(route.name);
    }
  }

  private async advance(route: CompiledRoute, rollout: CanaryRolloutConfig): Promise<void> {
    const now = this.deps.now();
    const stored = await this.deps.store.getRollout(route.name);
    let state = stored !== undefined && stored.fingerprint === route.target.fingerprint ? stored : undefined;
    if (state === undefined) {
      state = startRollout(route.name, route.target.fingerprint, rollout, now);
      await this.take(route.name);
      if (stored !== undefined) this.log.info({ event: 'rollout_restarted', route: route.name }, 'the route target changed in the config; the rollout starts over');
      await this.save(route, stored, state);
    }
    if (state.phase === 'golden') {
      const score = await (this.deps.scoreGolden ?? ((r, c) => defaultGolden(r, c, this.deps.runtime.current.config)))(route, rollout);
      const next = goldenScored(state, rollout, score.score, score.detail, this.deps.now());
      await this.take(route.name);
      await this.save(route, state, next);
      return;
    }
    const ended = now - state.intervalStartedAt >= rollout.interval;
    if (!ended) {
      if (currentWeight(route) !== state.weight) await this.applyWeight(route, state.weight);
      return;
    }
    const measured = await this.take(route.name);
    if (state.phase !== 'progressing' && state.phase !== 'paused' && state.phase !== 'shadow') {
      await this.deps.store.setRollout(route.name, { ...state, intervalStartedAt: now });
      return;
    }
    const result = analyseInterval(rollout.analysis, rollout.stable, rollout.canary, measured);
    this.deps.metrics.analyses.labels(route.name, result.verdict).inc();
    this.log.info({
      event: 'rollout_analysis', route: route.name, verdict: result.verdict, weight: state.weight, reason: result.reason,
      canary: { requests: result.canary.requests, errorRate: result.canary.errorRate, p99Ms: result.canary.p99Ms },
      stable: { requests: result.stable.requests, errorRate: result.stable.errorRate, p99Ms: result.stable.p99Ms },
      checks: result.checks.map((c) => ({ name: c.name, value: c.value, threshold: c.threshold, passed: c.passed })),
    }, `canary interval ${result.verdict}: ${result.reason}`);
    await this.save(route, state, intervalEnded(state, rollout, result, now));
  }

  /** Moves this replica's measurements of a route into the store. */
  private async push(route: string): Promise<void> {
    for (const [backend, stats] of this.deps.meter.take(route)) await this.deps.store.pushStats(route, { replica: this.deps.replica, backend, stats });
  }

  /** Every replica's measurements of a route since the last take, merged per backend. */
  private async take(route: string): Promise<Map<string, IntervalStats>> {
    await this.push(route);
    const merged = new Map<string, IntervalStats>();
    for (const entry of await this.deps.store.drainStats(route)) merged.set(entry.backend, mergeStats(merged.get(entry.backend) ?? emptyStats(), entry.stats));
    return merged;
  }

  /**
   * Stores the new state with its weight (one write: a failed command leaves neither behind),
   * then logs and counts the events it added.
   */
  private async save(route: CompiledRoute, before: RolloutState | undefined, after: RolloutState): Promise<void> {
    const moves = currentWeight(route) !== after.weight || before?.weight !== after.weight;
    await this.deps.store.setRollout(route.name, after, moves ? this.weightOverride(route, after.weight) : undefined);
    if (moves) this.deps.metrics.weight.labels(route.name).set(after.weight / 100);
    const added = before === undefined || before.fingerprint !== after.fingerprint ? after.history : after.history.slice(historyOverlap(before, after));
    for (const e of added) {
      this.deps.metrics.events.labels(route.name, e.event).inc();
      const level = e.event === 'aborted' || e.event === 'blocked' || e.event === 'would_abort' ? 'warn' : 'info';
      this.log[level]({ event: `rollout_${e.event}`, route: route.name, weight: e.weight, by: e.by, reason: e.reason }, `rollout ${route.name}: ${e.event} (canary ${e.weight}%): ${e.reason}`);
      this.deps.onEvent?.(route.name, e);
    }
  }

  private async applyWeight(route: CompiledRoute, weight: number): Promise<void> {
    this.deps.metrics.weight.labels(route.name).set(weight / 100);
    await this.deps.store.setOverride(route.name, this.weightOverride(route, weight));
  }

  private weightOverride(route: CompiledRoute, weight: number): RouteOverride {
    return { fingerprint: route.target.fingerprint, weights: { canary: weight }, updatedAt: this.deps.now(), by: 'rollout' };
  }
}

function canaryOf(route: CompiledRoute): CanaryRolloutConfig | undefined {
  const rollout = route.config.rollout;
  return rollout?.strategy === 'canary' && rollout.steps !== undefined ? rollout : undefined;
}

function currentWeight(route: CompiledRoute): number | undefined {
  const view = route.target.view();
  return view.kind === 'canary' ? view.weights.canary : undefined;
}

/** How many of after's events were already in before (history is append-only, trimmed at the front). */
function historyOverlap(before: RolloutState, after: RolloutState): number {
  const last = before.history[before.history.length - 1];
  if (last === undefined) return 0;
  for (let i = after.history.length - 1; i >= 0; i--) if (after.history[i] === last || sameEvent(after.history[i]!, last)) return i + 1;
  return 0;
}

function sameEvent(a: RolloutState['history'][number], b: RolloutState['history'][number]): boolean {
  return a.at === b.at && a.event === b.event && a.weight === b.weight && a.reason === b.reason;
}

function defaultGolden(route: CompiledRoute, rollout: CanaryRolloutConfig, config: GatewayConfig): Promise<GoldenScore> {
  // The route's compiled backends are reached through the target's assignments.
  const canary = route.target.assignments.find((a) => a.backend.name === rollout.canary)?.backend;
  if (canary === undefined || rollout.golden === undefined) return Promise.resolve({ score: undefined, detail: 'no canary backend' });
  return scoreGolden(rollout.golden, config, canary);
}
