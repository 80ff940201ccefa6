import type { IncomingMessage } from 'node:http';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../../observability/logger.js';
import type { GatewayConfig, RouteConfig } from '../../../../gateway/config/schema.js';
import { RequestContext } from '../../../../gateway/pipeline/context.js';
import type { FilterDeps } from '../../../../gateway/pipeline/filter.js';
import { ResilienceMetrics } from '../../../../gateway/resilience/metrics.js';
import { ResilienceState } from '../../../../gateway/resilience/state.js';
import type { CompiledBackend } from '../../../../gateway/upstream/backend.js';

/** A backend with no endpoints: filter tests never reach the upstream. */
export const backend = (name: string, model?: string): CompiledBackend => ({ name, model, version: undefined, endpoints: [] });

/** What a filter factory needs, with a fresh resilience state and metrics registry. */
export function fakeDeps(route: RouteConfig, backends: CompiledBackend[], now: () => number, config: Partial<GatewayConfig> = {}): {
  deps: FilterDeps; registry: Registry;
} {
  const registry = new Registry();
  const resilience = new ResilienceState(new ResilienceMetrics(registry), silentLogger());
  const full = { backends: Object.fromEntries(backends.map((b) => [b.name, {}])), routes: [route], ...config } as unknown as GatewayConfig;
  const deps = {
    config: full, backends: new Map(backends.map((b) => [b.name, b])), routeBackends: backends, target: undefined as never,
    log: silentLogger(), now, random: () => 0.5, resilience,
  } satisfies FilterDeps;
  return { deps, registry };
}

/** A request context as the listener makes it, assigned to `b`. */
export function fakeContext(b: CompiledBackend, headers: Record<string, string> = {}): RequestContext {
  const req = { headers, method: 'POST', destroyed: false, complete: true, socket: { destroyed: false } } as unknown as IncomingMessage;
  const ctx = new RequestContext(req, { name: 'r' }, 'id', '/v2/models/m/infer', '', 'http', 0);
  ctx.assignment = { backend: b, variant: '' };
  return ctx;
}

/** The value of one sample of a metric on the registry, 0 when absent. */
export async function sample(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return found?.value ?? 0;
}
