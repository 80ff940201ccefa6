import type { CompiledGateway } from '../routing/compile.js';
import { servableEndpoints } from './version-readiness.js';

export interface BackendHealth {
  readonly healthy: number;
  readonly total: number;
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not, one sentence each; empty when ready. */
  readonly reasons: readonly string[];
  readonly backends: Readonly<Record<string, BackendHealth>>;
}

/**
 * Ready means: not draining, a config is loaded, and every backend some route can send to has
 * at least one endpoint whose latest probe passed (an endpoint not yet probed does not count)
 * and, for a version-pinned backend, where that version's probe did not fail.
 */
export function readiness(compiled: CompiledGateway | undefined, draining: boolean): Readiness {
  if (compiled === undefined) return { ready: false, reasons: ['no config is loaded yet'], backends: {} };
  const reasons: string[] = [];
  if (draining) reasons.push('the gateway is shutting down');
  const used = new Set(compiled.routes.flatMap((r) => r.target.assignments.map((a) => a.backend)));
  const backends: Record<string, BackendHealth> = {};
  for (const backend of used) {
    // An endpoint where the backend's model version is not ready does not count.
    const healthy = servableEndpoints(backend).filter((e) => e.healthy === true).length;
    backends[backend.name] = { healthy, total: backend.endpoints.length };
    if (healthy === 0) reasons.push(`backend '${backend.name}' has no healthy endpoint (0 of ${backend.endpoints.length})`);
  }
  return { ready: reasons.length === 0, reasons, backends };
}
