import type { FilterFactory } from '../../pipeline/filter.js';
import { compileVersionSelector } from '../../routing/version-select.js';
import { requestedVersion } from '../../upstream/model-path.js';

/**
 * First step of every chain: the route's target (backend, canary, blue-green or experiment)
 * decides the backend and variant; everything after it reads `ctx.assignment`. On a route with
 * model-aware backends, a request that names a model version goes to the backend serving that
 * version instead (routing/version-select.ts), marked `routedByVersion`, or is refused with 404.
 */
export const targetFilter: FilterFactory = {
  name: 'target',
  create(route, deps) {
    const target = deps.target;
    const versions = compileVersionSelector(route.name, target.assignments);
    if (versions === undefined) {
      return function assignTarget(ctx, next) {
        ctx.assignment = target.select(ctx.headers);
        return next(ctx);
      };
    }
    return function assignTargetOrVersion(ctx, next) {
      const version = requestedVersion(ctx.path);
      if (version === undefined) ctx.assignment = target.select(ctx.headers);
      else {
        try {
          ctx.assignment = versions.select(version, () => target.select(ctx.headers));
        } catch (err) {
          return Promise.reject(err as Error);
        }
        ctx.routedByVersion = true;
      }
      return next(ctx);
    };
  },
};
