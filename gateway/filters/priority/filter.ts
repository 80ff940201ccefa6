import type { PriorityClass } from '../../config/schema.js';
import type { FilterFactory } from '../../pipeline/filter.js';

const CLASSES: ReadonlySet<string> = new Set(['high', 'normal', 'low']);

/**
 * Puts a request in a priority class (`resilience.priority`): the header's value when it is
 * high, normal or low, else the route's default. Shedding reads the class. With
 * `workerLevels`, a model route's JSON request also gets the v2 parameter `priority` (the
 * worker's batcher serves level 1 first), unless the client set one.
 */
export const priorityFilter: FilterFactory = {
  name: 'priority',
  create(route) {
    const config = route.resilience?.priority;
    if (config === undefined) return undefined;
    const { header, workerLevels } = config;
    const fallback = config.default;
    return function classify(ctx, next) {
      const given = ctx.headers[header];
      const value = typeof given === 'string' ? given.trim().toLowerCase() : undefined;
      const cls = (value !== undefined && CLASSES.has(value) ? value : fallback) as PriorityClass;
      ctx.priority = cls;
      const level = workerLevels?.[cls];
      if (level !== undefined && ctx.body !== undefined && ctx.assignment?.backend.model !== undefined) ctx.body = withPriority(ctx.body, level);
      return next(ctx);
    };
  },
};

/** The JSON request with parameters.priority set, or the body unchanged when it is not a JSON object or already has one. */
export function withPriority(body: Buffer, level: number): Buffer {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return body;
  const r = request as { parameters?: Record<string, unknown> };
  if (r.parameters?.priority !== undefined) return body;
  r.parameters = { ...r.parameters, priority: level };
  return Buffer.from(JSON.stringify(r));
}
