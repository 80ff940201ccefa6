import type { BackendConfig, GatewayConfig } from '../config/schema.js';
import { ConfigCompileError } from '../config/watch.js';
import { DEFAULT_ENDPOINT_CONNECT_TIMEOUT_MS, type EndpointRegistry, type UpstreamEndpoint } from './endpoint.js';
import { versionReadyPath } from '../health/version-readiness.js';

/** What model-aware endpoints answer 200 on once they can serve (Open Inference Protocol v2). */
export const MODEL_READY_PATH = '/v2/health/ready';

/** Endpoint URLs of worker pools, by pool name, from whoever started them (`switchyard up`). */
export type PoolEndpoints = Readonly<Record<string, readonly string[]>>;

/** A backend ready to serve: its endpoints (shared, live) and, when model-aware, its model and version. */
export interface CompiledBackend {
  readonly name: string;
  /** Set for model-aware backends: the v2 path is rewritten to this model. */
  readonly model: string | undefined;
  readonly version: string | undefined;
  readonly endpoints: readonly UpstreamEndpoint[];
}

/** Compiles every backend, acquiring endpoints (pools) from the registry. */
export function compileBackends(config: GatewayConfig, registry: EndpointRegistry, poolEndpoints: PoolEndpoints): Map<string, CompiledBackend> {
  const backends = new Map<string, CompiledBackend>();
  for (const [name, backend] of Object.entries(config.backends)) {
    const endpoints = endpointUrls(name, backend, config, poolEndpoints).map((url) => registry.acquire(url));
    // Routes' resilience lowers it again as their chains are compiled.
    for (const e of endpoints) e.connectTimeoutMs = DEFAULT_ENDPOINT_CONNECT_TIMEOUT_MS;
    if (backend.model !== undefined) for (const e of endpoints) e.probePath = MODEL_READY_PATH;
    backends.set(name, { name, model: backend.model, version: backend.version, endpoints });
  }
  // Version-pinned backends: the prober also checks each version's readiness on each endpoint.
  const versionPaths = new Map<UpstreamEndpoint, Set<string>>();
  for (const b of backends.values()) {
    for (const e of b.endpoints) {
      const paths = versionPaths.get(e) ?? new Set<string>();
      if (b.model !== undefined && b.version !== undefined) paths.add(versionReadyPath(b.model, b.version));
      versionPaths.set(e, paths);
    }
  }
  for (const [e, paths] of versionPaths) e.versionProbePaths = paths;
  // An origin only plain backends use is probed by TCP connect, even if it was model-aware before.
  const modelOrigins = new Set([...backends.values()].filter((b) => b.model !== undefined).flatMap((b) => b.endpoints.map((e) => e.origin)));
  for (const b of backends.values()) for (const e of b.endpoints) if (!modelOrigins.has(e.origin)) e.probePath = undefined;
  return backends;
}

/**
 * A backend's URLs: its own `endpoints`, else its pool's endpoints as started by `switchyard up`,
 * else the pool's configured `endpoints` (a pool that runs elsewhere). A pool with none of these
 * cannot be served by a standalone gateway: the config is refused with the reason.
 */
function endpointUrls(name: string, backend: BackendConfig, config: GatewayConfig, poolEndpoints: PoolEndpoints): readonly string[] {
  if (backend.endpoints !== undefined) return backend.endpoints;
  const pool = backend.pool ?? '';
  const started = poolEndpoints[pool];
  if (started !== undefined && started.length > 0) return started;
  const configured = config.pools[pool]?.endpoints;
  if (configured !== undefined && configured.length > 0) return configured;
  throw new ConfigCompileError(['backends', name, 'pool'],
    `backend '${name}' uses pool '${pool}', but this gateway knows no endpoints for that pool: 'switchyard gateway' does not start workers. ` +
    `Run 'switchyard up' to start the pools with the gateway, or list the running workers under pools.${pool}.endpoints (e.g. [http://10.0.0.7:8000])`);
}
