import type { CompiledBackend } from '../upstream/backend.js';
import type { UpstreamEndpoint } from '../upstream/endpoint.js';

/** The worker's readiness path for one model version (Open Inference Protocol v2). */
export function versionReadyPath(model: string, version: string): string {
  return `/v2/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}/ready`;
}

/**
 * The endpoints a backend may send to: for a backend pinned to a model version, those whose
 * latest probe of that version did not fail (a version loading, unloading or absent there
 * answers 4xx); for any other backend, all of them. Allocates only when some endpoint is out.
 */
export function servableEndpoints(backend: CompiledBackend): readonly UpstreamEndpoint[] {
  if (backend.model === undefined || backend.version === undefined) return backend.endpoints;
  const path = versionReadyPath(backend.model, backend.version);
  for (const e of backend.endpoints) {
    if (e.versionReady.get(path) === false) return backend.endpoints.filter((c) => c.versionReady.get(path) !== false);
  }
  return backend.endpoints;
}
