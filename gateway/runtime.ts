import type { Logger } from '../observability/logger.js';
import type { CompiledGateway, CompiledRoute } from './routing/compile.js';
import { ALL_ROUTES, type RuntimeStateStore } from './state/store.js';
import type { EndpointRegistry } from './upstream/endpoint.js';

/**
 * The one mutable reference the listeners read: the compiled config in effect. A reload
 * builds a new CompiledGateway off to the side and `swap` replaces the reference in one
 * assignment; a request that already took the old one finishes on it.
 *
 * Admin overrides (weights, active colour) and reloads: an override is tagged with the
 * fingerprint of the route's target config. A reload that leaves a route's target config
 * unchanged keeps the override; one that changes it (other backends, new YAML weight or
 * variants) resets it, and the YAML's values apply. Removing a route removes its override.
 */
export class GatewayRuntime {
  draining = false;
  private unsubscribe: () => void;

  constructor(
    public current: CompiledGateway,
    private readonly store: RuntimeStateStore,
    private readonly registry: EndpointRegistry,
    private readonly log: Logger,
  ) {
    this.unsubscribe = store.subscribe((route) => {
      const names = route === ALL_ROUTES ? [...this.current.routesByName.keys()] : [route];
      for (const name of names) void this.refreshRoute(name).catch((err: unknown) => this.storeFailed(err, name));
    });
  }

  /** Applies the stored overrides that still match to a compiled config (before it is swapped in). */
  async loadOverrides(compiled: CompiledGateway): Promise<void> {
    await Promise.all(compiled.routes.map(async (route) => {
      try {
        const override = await this.store.getOverride(route.name);
        if (override !== undefined && override.fingerprint === route.target.fingerprint) route.target.apply(override);
      } catch (err) {
        // Redis down at start or reload: route by the YAML; the store's reconnect re-reads every route.
        this.storeFailed(err, route.name);
      }
    }));
  }

  swap(next: CompiledGateway): void {
    const previous = this.current;
    this.current = next;
    this.registry.retain(next.origins);
    void this.resetStaleOverrides(next, previous).catch((err: unknown) => this.storeFailed(err, '*'));
  }

  /** Re-reads one route's override from the store into the table in effect. */
  async refreshRoute(name: string): Promise<CompiledRoute | undefined> {
    const route = this.current.routesByName.get(name);
    if (route === undefined) return undefined;
    const override = await this.store.getOverride(name);
    route.target.apply(override !== undefined && override.fingerprint === route.target.fingerprint ? override : undefined);
    return route;
  }

  close(): void {
    this.unsubscribe();
  }

  /** After a swap: delete overrides the new config outdated, and catch changes made during the compile. */
  private async resetStaleOverrides(next: CompiledGateway, previous: CompiledGateway): Promise<void> {
    const names = new Set([...previous.routesByName.keys(), ...next.routesByName.keys()]);
    for (const name of names) {
      const override = await this.store.getOverride(name);
      if (override === undefined) continue;
      const route = next.routesByName.get(name);
      if (route === undefined || override.fingerprint !== route.target.fingerprint) {
        await this.store.deleteOverride(name);
        this.log.info({ event: 'override_reset', route: name }, 'the reload changed the route\'s target; its admin override no longer applies');
      } else {
        route.target.apply(override);
      }
    }
  }

  private storeFailed(err: unknown, route: string): void {
    this.log.warn({ err, route }, 'could not read runtime overrides; routing goes on from the last known state');
  }
}
