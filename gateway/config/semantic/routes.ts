import type { ConfigFinding } from '../errors.js';
import { error, warning } from '../errors.js';
import type { MatchConfig } from '../schema.js';
import { pathPrefixMatches } from '../schema.js';
import type { Check } from './context.js';

/** Route names are unique (metrics, CLI and admin API address routes by name). */
export const checkRouteNames: Check = (config) => {
  const first = new Map<string, number>();
  return config.routes.flatMap((route, i) => {
    const earlier = first.get(route.name);
    if (earlier === undefined) {
      first.set(route.name, i);
      return [];
    }
    return [error(['routes', i, 'name'], `route name '${route.name}' is already used by routes[${earlier}]; route names must be unique`)];
  });
};

/**
 * Routes are matched in order, first match wins. A route whose every request an earlier route
 * already takes can never match: a warning, not an error, since the file still works (and it
 * is often a route parked while editing), but it is almost never what was meant.
 */
export const checkShadowedRoutes: Check = (config) => {
  const findings: ConfigFinding[] = [];
  config.routes.forEach((route, j) => {
    const i = config.routes.findIndex((earlier, k) => k < j && covers(earlier.match, route.match));
    if (i < 0) return;
    const earlier = config.routes[i]!;
    findings.push(warning(['routes', j, 'match'], `route '${route.name}' can never match: routes[${i}] ('${earlier.name}', pathPrefix ${earlier.match.pathPrefix}) comes first and takes every request it would; move '${route.name}' above it or narrow '${earlier.name}'`));
  });
  return findings;
};

/** True when every request `later` matches is matched by `earlier`. */
function covers(earlier: MatchConfig, later: MatchConfig): boolean {
  if (!pathPrefixMatches(earlier.pathPrefix, later.pathPrefix)) return false;
  if (earlier.host !== undefined && earlier.host !== later.host) return false;
  return Object.entries(earlier.headers ?? {}).every(([name, value]) => later.headers?.[name] === value);
}
