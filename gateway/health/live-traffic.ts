import { CONTROL_VARIANT } from '../config/defaults.js';
import type { CompiledRoute } from '../routing/compile.js';
import type { CompiledBackend } from '../upstream/backend.js';

/** What a backend is to one route: its role there, its share of the route's traffic and whether that share is live. */
export interface BackendRole {
  readonly route: string;
  /** backend | stable | canary | active | preview | variant:NAME | shadow */
  readonly role: string;
  /** Percent of the route's requests it gets now; undefined where no weight applies (backend, blue-green, shadow). */
  readonly weight: number | undefined;
  /** true when ordinary requests reach it now. */
  readonly live: boolean;
}

/**
 * The part each backend plays on a route, read from the target's live weights (admin
 * overrides included). Live means ordinary requests reach it now: a canary above 0 %, the
 * stable side below 100 %, the active colour, an experiment variant above 0 % and control
 * (which also serves requests without a unit). A preview colour is reached only with the
 * preview header, a shadow only by copies: neither is live.
 */
export function backendRoles(route: CompiledRoute): { backend: string; role: BackendRole }[] {
  const view = route.target.view();
  const name = route.name;
  const roles: { backend: string; role: BackendRole }[] = [];
  const add = (backend: string, role: string, weight: number | undefined, live: boolean): void => {
    roles.push({ backend, role: { route: name, role, weight, live } });
  };
  if (view.kind === 'backend') add(view.backend, 'backend', undefined, true);
  else if (view.kind === 'canary') {
    add(view.stable, 'stable', view.weights.stable, view.weights.stable > 0);
    add(view.canary, 'canary', view.weights.canary, view.weights.canary > 0);
  } else if (view.kind === 'blueGreen') {
    add(view.active, 'active', undefined, true);
    add(view.preview, 'preview', undefined, false);
  } else {
    for (const a of route.target.assignments) {
      const weight = view.weights[a.variant] ?? 0;
      add(a.backend.name, `variant:${a.variant}`, weight, weight > 0 || a.variant === CONTROL_VARIANT);
    }
  }
  const shadow = route.config.shadow?.backend;
  if (shadow !== undefined) add(shadow, 'shadow', undefined, false);
  return roles;
}

/** The backends ordinary requests of a route reach now. */
export function liveBackends(route: CompiledRoute): CompiledBackend[] {
  const live = new Set(backendRoles(route).filter((r) => r.role.live).map((r) => r.backend));
  return route.target.assignments.map((a) => a.backend).filter((b, i, all) => live.has(b.name) && all.indexOf(b) === i);
}
