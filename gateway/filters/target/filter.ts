import type { FilterFactory } from '../../pipeline/filter.js';

/**
 * First step of every chain: the route's target (backend, canary, blue-green or experiment)
 * decides the backend and variant; everything after it reads `ctx.assignment`.
 */
export const targetFilter: FilterFactory = {
  name: 'target',
  create(_route, deps) {
    const target = deps.target;
    return function assignTarget(ctx, next) {
      ctx.assignment = target.select(ctx.headers);
      return next(ctx);
    };
  },
};
