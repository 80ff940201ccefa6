import { PRIORITY_ADMIT_SHARE, SHED_RETRY_AFTER_SECONDS } from '../../config/defaults.js';
import { overloaded } from '../../errors.js';
import type { FilterFactory } from '../../pipeline/filter.js';
import type { InFlight } from '../../resilience/state.js';

type PriorityClass = keyof typeof PRIORITY_ADMIT_SHARE;
const CLASSES = Object.keys(PRIORITY_ADMIT_SHARE) as PriorityClass[];

/** In-flight requests a class may find and still be admitted: low classes see a lower limit, so they are shed first. */
export function admitLimits(maxInFlight: number): Record<PriorityClass, number> {
  return Object.fromEntries(CLASSES.map((c) => [c, Math.max(1, Math.floor(maxInFlight * PRIORITY_ADMIT_SHARE[c]))])) as Record<PriorityClass, number>;
}

/**
 * Load shedding: `resilience.maxInFlight` bounds the route's requests in flight and a
 * backend's `maxInFlight` bounds that backend's over every route. A request that finds the
 * limit of its priority class reached is refused at once with 503 OVERLOADED and Retry-After,
 * rather than queued without bound. The counts live in the resilience state, so they are
 * right across reloads. A request is in flight until its chain returns its result (for a
 * streamed plain answer, until the headers).
 */
export const loadSheddingFilter: FilterFactory = {
  name: 'load-shedding',
  create(route, deps) {
    const state = deps.resilience;
    if (state === undefined) return undefined;
    const routeMax = route.resilience?.maxInFlight;
    const backendLimits = new Map<string, { count: InFlight; limits: Record<PriorityClass, number>; max: number }>();
    for (const b of deps.routeBackends) {
      const max = deps.config.backends[b.name]?.maxInFlight;
      if (max !== undefined) backendLimits.set(b.name, { count: state.counter(`backend:${b.name}`), limits: admitLimits(max), max });
    }
    if (routeMax === undefined && backendLimits.size === 0) return undefined;
    const routeCount = state.counter(`route:${route.name}`);
    const routeLimits = routeMax === undefined ? undefined : admitLimits(routeMax);
    const shed = state.metrics.shed;

    return async function shedLoad(ctx, next) {
      const cls = ctx.priority;
      if (routeLimits !== undefined && routeCount.count >= routeLimits[cls]) {
        shed.labels(route.name, 'route', cls).inc();
        throw overloaded('route', route.name, routeMax!, SHED_RETRY_AFTER_SECONDS);
      }
      const backend = backendLimits.get(ctx.assignment!.backend.name);
      if (backend !== undefined && backend.count.count >= backend.limits[cls]) {
        shed.labels(route.name, 'backend', cls).inc();
        throw overloaded('backend', ctx.assignment!.backend.name, backend.max, SHED_RETRY_AFTER_SECONDS);
      }
      routeCount.count++;
      if (backend !== undefined) backend.count.count++;
      try {
        return await next(ctx);
      } finally {
        routeCount.count--;
        if (backend !== undefined) backend.count.count--;
      }
    };
  },
};
