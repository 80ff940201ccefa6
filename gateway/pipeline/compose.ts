import type { RouteConfig } from '../config/schema.js';
import type { Filter, FilterDeps, FilterFactory, Next } from './filter.js';

/** Folds filters around a terminal step, outermost first: compose([a, b], t) runs a → b → t. */
export function compose(filters: readonly Filter[], terminal: Next): Next {
  let next = terminal;
  for (let i = filters.length - 1; i >= 0; i--) {
    const filter = filters[i]!;
    const inner = next;
    next = (ctx) => filter(ctx, inner);
  }
  return next;
}

/** A route's chain, built once when the config is compiled, never per request. */
export function buildChain(factories: readonly FilterFactory[], route: RouteConfig, deps: FilterDeps, terminal: Next): Next {
  const filters: Filter[] = [];
  for (const factory of factories) {
    const filter = factory.create(route, deps);
    if (filter !== undefined) filters.push(filter);
  }
  return compose(filters, terminal);
}
