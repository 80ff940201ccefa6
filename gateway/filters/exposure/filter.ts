import type { FilterFactory } from '../../pipeline/filter.js';
import { readUnit } from '../../routing/unit.js';

/**
 * Right after the target step on experiment routes: counts the request's unit for the variant it
 * was assigned (once per experiment, in the store, without waiting for it). Requests without a
 * unit were served control by the target step and are not counted; nor are requests that named a
 * model version (`routedByVersion`): the split did not place them.
 */
export const exposureFilter: FilterFactory = {
  name: 'exposure',
  create(route, deps) {
    const experiment = route.experiment;
    const recorder = deps.exposures;
    if (experiment === undefined || recorder === undefined) return undefined;
    const { id, unit } = experiment;
    return function countExposure(ctx, next) {
      const unitId = readUnit(unit, ctx.headers);
      if (unitId !== undefined && ctx.assignment !== undefined && !ctx.routedByVersion) recorder.record(id, ctx.assignment.variant, unitId);
      return next(ctx);
    };
  },
};
