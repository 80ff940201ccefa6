import type { IncomingHttpHeaders } from 'node:http';
import type { MatchConfig } from '../config/schema.js';
import { pathPrefixMatches } from '../config/schema.js';

/** The Host header's name without its port, lower-cased; '' when absent. */
export function hostOf(headers: IncomingHttpHeaders): string {
  const host = headers.host;
  if (host === undefined) return '';
  // [::1]:8080 keeps its brackets; example.com:8080 loses the port.
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.indexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

export function routeMatches(match: MatchConfig, path: string, headers: IncomingHttpHeaders): boolean {
  if (!pathPrefixMatches(match.pathPrefix, path)) return false;
  if (match.host !== undefined && hostOf(headers) !== match.host) return false;
  if (match.headers !== undefined) {
    for (const name in match.headers) {
      const value = headers[name];
      if ((Array.isArray(value) ? value.join(', ') : value) !== match.headers[name]) return false;
    }
  }
  return true;
}

/** First match wins, in config order. */
export function findRoute<R extends { readonly match: MatchConfig }>(routes: readonly R[], path: string, headers: IncomingHttpHeaders): R | undefined {
  for (const route of routes) if (routeMatches(route.match, path, headers)) return route;
  return undefined;
}
