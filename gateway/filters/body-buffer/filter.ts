import { readBody } from '../../../protocol/http-body.js';
import type { FilterFactory } from '../../pipeline/filter.js';

/**
 * Model routes buffer the request body (caching, shadowing and comparing need the bytes),
 * bounded by `limits.maxBodyBytes`: a larger body is refused with 413 BODY_TOO_LARGE before
 * anything is sent upstream. Plain backends keep streaming. Absent from routes without a
 * model-aware backend.
 */
export const bodyBufferFilter: FilterFactory = {
  name: 'body-buffer',
  create(_route, deps) {
    if (!deps.routeBackends.some((b) => b.model !== undefined)) return undefined;
    const limit = deps.config.limits.maxBodyBytes;
    return async function bufferBody(ctx, next) {
      if (ctx.assignment?.backend.model !== undefined && ctx.body === undefined) ctx.body = await readBody(ctx.req, limit);
      return next(ctx);
    };
  },
};
