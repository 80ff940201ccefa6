import { modelVersionNotRouted } from '../errors.js';
import type { Assignment } from '../pipeline/context.js';

/**
 * Where a request that names a model version goes on a route, compiled once per route from its
 * assignments. The rule (docs/gateway.md, "Requests that name a model version"):
 *
 * 1. A backend of the route pinned to that version serves it.
 * 2. Else a backend that pins no version does: the named version is forwarded unchanged and
 *    the worker serves exactly it or answers 404 (the gateway cannot know what it has loaded).
 * 3. Else the request is refused: 404 MODEL_VERSION_NOT_ROUTED, naming the versions served.
 *
 * When several backends qualify (two colours on the same version, two unpinned pools), the one
 * the route's own split picks wins if it qualifies, else the first in config order. Either way
 * the request left the split: callers keep it out of rollout analysis and exposure counting.
 */
export interface VersionSelector {
  /** The versions the route's pinned backends serve, in config order, without repeats. */
  readonly served: readonly string[];
  /** Throws MODEL_VERSION_NOT_ROUTED (404) when no backend of the route can serve `version`. */
  select(version: string, usual: () => Assignment): Assignment;
}

/** Undefined when no backend of the route is model-aware: the path's version is then the upstream's business. */
export function compileVersionSelector(route: string, assignments: readonly Assignment[]): VersionSelector | undefined {
  if (assignments.every((a) => a.backend.model === undefined)) return undefined;
  const pinned = new Map<string, Assignment[]>();
  const unpinned: Assignment[] = [];
  for (const a of assignments) {
    const version = a.backend.version;
    if (version === undefined) unpinned.push(a);
    else pinned.set(version, [...(pinned.get(version) ?? []), a]);
  }
  const served = [...pinned.keys()];
  return {
    served,
    select(version, usual) {
      const candidates = pinned.get(version) ?? unpinned;
      if (candidates.length === 0) throw modelVersionNotRouted(route, version, served);
      if (candidates.length === 1) return candidates[0]!;
      const chosen = usual();
      return candidates.includes(chosen) ? chosen : candidates[0]!;
    },
  };
}
