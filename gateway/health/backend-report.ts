import type { CompiledGateway } from '../routing/compile.js';
import type { CompiledBackend } from '../upstream/backend.js';
import type { UpstreamEndpoint } from '../upstream/endpoint.js';
import { backendRoles, type BackendRole } from './live-traffic.js';
import { versionReadyPath } from './version-readiness.js';

/** An endpoint as a backend sees it: probed up or down, ejected by outlier detection, or not probed yet. */
export type EndpointState = 'up' | 'down' | 'ejected' | 'unknown';

export interface EndpointReport {
  readonly origin: string;
  readonly state: EndpointState;
  /** Why it is not up ('connect ECONNREFUSED', 'HTTP 503', 'consecutive5xx'); null when up or not probed yet. */
  readonly reason: string | null;
  /** When it entered this state (ISO 8601); null when not known. */
  readonly since: string | null;
  /** Last probe (ISO 8601); null before the first. */
  readonly checkedAt: string | null;
}

export interface BackendReport {
  readonly name: string;
  readonly model: string | null;
  readonly version: string | null;
  /** true when some route sends it ordinary requests now. */
  readonly live: boolean;
  readonly routes: readonly BackendRole[];
  /** Its circuit breaker (closed, open, half-open); null when no route configures one. */
  readonly breaker: string | null;
  readonly endpoints: readonly EndpointReport[];
}

/**
 * Every backend of the config in effect, with its part in each route and its endpoints' state:
 * what GET /admin/backends answers. Read-only; the prober, outlier detection and breakers
 * keep the state this reads.
 */
export function backendReport(compiled: CompiledGateway, now: number, breakerOf: (backend: string) => string | undefined): BackendReport[] {
  const roles = new Map<string, BackendRole[]>();
  for (const route of compiled.routes) {
    for (const { backend, role } of backendRoles(route)) roles.set(backend, [...(roles.get(backend) ?? []), role]);
  }
  return [...compiled.backends.values()].sort((a, b) => a.name.localeCompare(b.name)).map((backend) => {
    const parts = roles.get(backend.name) ?? [];
    return {
      name: backend.name, model: backend.model ?? null, version: backend.version ?? null,
      live: parts.some((p) => p.live), routes: parts, breaker: breakerOf(backend.name) ?? null,
      endpoints: backend.endpoints.map((e) => endpointReport(backend, e, now)),
    };
  });
}

function endpointReport(backend: CompiledBackend, e: UpstreamEndpoint, now: number): EndpointReport {
  const checkedAt = iso(e.checkedAt);
  if (e.healthy === undefined) return { origin: e.origin, state: 'unknown', reason: null, since: null, checkedAt };
  if (e.healthy === false) return { origin: e.origin, state: 'down', reason: e.probeError ?? 'probe failed', since: iso(e.healthSince), checkedAt };
  if (backend.model !== undefined && backend.version !== undefined && e.versionReady.get(versionReadyPath(backend.model, backend.version)) === false) {
    // The worker is up, but not with this backend's version: only this backend skips it.
    return { origin: e.origin, state: 'down', reason: `model ${backend.model} version ${backend.version} is not ready there`, since: null, checkedAt };
  }
  if (e.outlier.ejectedUntil > now) {
    return { origin: e.origin, state: 'ejected', reason: e.outlier.ejection?.reason ?? null, since: iso(e.outlier.ejection?.at), checkedAt };
  }
  return { origin: e.origin, state: 'up', reason: null, since: iso(e.healthSince), checkedAt };
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
