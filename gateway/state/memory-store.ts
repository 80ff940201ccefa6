import type { RolloutState } from '../rollout/machine.js';
import type { RouteOverride, RuntimeStateStore, StatsEntry } from './store.js';

/** The single-replica store: a map, with change notices delivered after the write resolves. */
export class MemoryStateStore implements RuntimeStateStore {
  private readonly overrides = new Map<string, RouteOverride>();
  private readonly rollouts = new Map<string, RolloutState>();
  private readonly stats = new Map<string, StatsEntry[]>();
  private readonly listeners = new Set<(route: string) => void>();

  getOverride(route: string): Promise<RouteOverride | undefined> {
    return Promise.resolve(this.overrides.get(route));
  }

  setOverride(route: string, override: RouteOverride): Promise<void> {
    this.overrides.set(route, override);
    this.notify(route);
    return Promise.resolve();
  }

  deleteOverride(route: string): Promise<void> {
    if (this.overrides.delete(route)) this.notify(route);
    return Promise.resolve();
  }

  getRollout(route: string): Promise<RolloutState | undefined> {
    return Promise.resolve(this.rollouts.get(route));
  }

  setRollout(route: string, state: RolloutState, override?: RouteOverride): Promise<void> {
    this.rollouts.set(route, state);
    return override === undefined ? Promise.resolve() : this.setOverride(route, override);
  }

  deleteRollout(route: string): Promise<void> {
    this.rollouts.delete(route);
    return Promise.resolve();
  }

  pushStats(route: string, entry: StatsEntry): Promise<void> {
    const entries = this.stats.get(route) ?? [];
    entries.push(entry);
    this.stats.set(route, entries);
    return Promise.resolve();
  }

  drainStats(route: string): Promise<StatsEntry[]> {
    const entries = this.stats.get(route) ?? [];
    this.stats.delete(route);
    return Promise.resolve(entries);
  }

  /** One replica: it always holds the lease. */
  tryLease(): Promise<boolean> {
    return Promise.resolve(true);
  }

  releaseLease(): Promise<void> {
    return Promise.resolve();
  }

  subscribe(listener: (route: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }

  private notify(route: string): void {
    for (const listener of this.listeners) queueMicrotask(() => listener(route));
  }
}
