import type { RolloutState } from '../rollout/machine.js';
import type { RouteOverride, RuntimeStateStore } from './store.js';

/** The single-replica store: a map, with change notices delivered after the write resolves. */
export class MemoryStateStore implements RuntimeStateStore {
  private readonly overrides = new Map<string, RouteOverride>();
  private readonly rollouts = new Map<string, RolloutState>();
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

  setRollout(route: string, state: RolloutState): Promise<void> {
    this.rollouts.set(route, state);
    return Promise.resolve();
  }

  deleteRollout(route: string): Promise<void> {
    this.rollouts.delete(route);
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
