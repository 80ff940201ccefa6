import type { CompiledGateway, CompiledRoute } from '../routing/compile.js';
import { liveBackends } from './live-traffic.js';
import { servableEndpoints } from './version-readiness.js';
import type { CompiledBackend } from '../upstream/backend.js';

export interface BackendHealth {
  readonly healthy: number;
  readonly total: number;
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not, one sentence each; empty when ready. */
  readonly reasons: readonly string[];
  /** Healthy endpoints per routed backend: information only, it decides nothing unless readiness.requireServableRoute. */
  readonly backends: Readonly<Record<string, BackendHealth>>;
}

/**
 * Ready means this replica can serve: a config is loaded and it is not draining (the
 * listeners that answer this are up by then). Backend health does not count: a backend that
 * takes no live traffic (a canary at 0 %, an idle preview, a shadow) must never take every
 * replica out of a Kubernetes Service, and a route whose backends are down still answers
 * (503 NO_HEALTHY_ENDPOINT, or its fallback) better than no gateway at all.
 *
 * With `readiness.requireServableRoute`, it is also not ready when no route at all can serve:
 * none has a fallback, and no backend taking live traffic has a servable endpoint.
 */
export function readiness(compiled: CompiledGateway | undefined, draining: boolean): Readiness {
  if (compiled === undefined) return { ready: false, reasons: ['no config is loaded yet'], backends: {} };
  const reasons: string[] = [];
  if (draining) reasons.push('the gateway is shutting down');
  const backends: Record<string, BackendHealth> = {};
  for (const backend of new Set(compiled.routes.flatMap((r) => r.target.assignments.map((a) => a.backend)))) {
    backends[backend.name] = { healthy: healthyEndpoints(backend), total: backend.endpoints.length };
  }
  if (compiled.config.readiness.requireServableRoute && !compiled.routes.some(canServe)) {
    reasons.push(`no route can serve: none has a fallback, and no backend taking live traffic has a healthy endpoint (readiness.requireServableRoute)`);
  }
  return { ready: reasons.length === 0, reasons, backends };
}

/** A route can serve when it has a fallback or a backend it sends live traffic to has a healthy endpoint. */
export function canServe(route: CompiledRoute): boolean {
  const fallback = route.config.fallback;
  if (fallback?.cache !== undefined || fallback?.static !== undefined) return true;
  return liveBackends(route).some((b) => healthyEndpoints(b) > 0);
}

/** Endpoints whose latest probe passed (one not probed yet does not count) and, for a version-pinned backend, where that version is ready. */
function healthyEndpoints(backend: CompiledBackend): number {
  return servableEndpoints(backend).filter((e) => e.healthy === true).length;
}
