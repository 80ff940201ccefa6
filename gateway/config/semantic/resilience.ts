import type { ConfigFinding } from '../errors.js';
import { error, warning } from '../errors.js';
import type { Check } from './context.js';

/**
 * Cross-field rules of `resilience` and `fallback`: a try cannot outlast the whole request,
 * backoff caps are not below their base, and a breaker per backend has one configuration.
 */
export const checkResilience: Check = (config) => {
  const findings: ConfigFinding[] = [];
  const breakerOwner = new Map<string, { route: number; text: string }>();
  config.routes.forEach((route, i) => {
    const r = route.resilience;
    if (r !== undefined) {
      const t = r.timeouts;
      if (t.perTry > t.total) findings.push(warning(['routes', i, 'resilience', 'timeouts', 'perTry'], `perTry (${t.perTry}ms) is longer than total (${t.total}ms); the total ends every try first, so perTry has no effect`));
      if (t.connect > t.perTry) findings.push(warning(['routes', i, 'resilience', 'timeouts', 'connect'], `connect (${t.connect}ms) is longer than perTry (${t.perTry}ms); the try ends first, so connect has no effect`));
      const b = r.circuitBreaker;
      if (b !== undefined && b.openFor > b.maxOpenFor) findings.push(error(['routes', i, 'resilience', 'circuitBreaker', 'maxOpenFor'], `maxOpenFor (${b.maxOpenFor}ms) is shorter than openFor (${b.openFor}ms); raise maxOpenFor to at least openFor`));
      const o = r.outlierDetection;
      if (o !== undefined && o.baseEjection > o.maxEjection) findings.push(error(['routes', i, 'resilience', 'outlierDetection', 'maxEjection'], `maxEjection (${o.maxEjection}ms) is shorter than baseEjection (${o.baseEjection}ms); raise maxEjection to at least baseEjection`));
      if (b !== undefined) {
        // One breaker per backend: routes that share a backend must agree on how it trips.
        const text = JSON.stringify(b);
        for (const backend of routeBackendNames(route)) {
          const owner = breakerOwner.get(backend);
          if (owner === undefined) breakerOwner.set(backend, { route: i, text });
          else if (owner.text !== text) findings.push(warning(['routes', i, 'resilience', 'circuitBreaker'], `backend '${backend}' already has a circuit breaker configured by routes[${owner.route}] with other settings; there is one breaker per backend and the first route's settings apply`));
        }
      }
    }
    const f = route.fallback;
    if (f?.cache !== undefined) {
      const names = routeBackendNames(route);
      if (names.length > 0 && names.every((n) => config.backends[n] !== undefined && config.backends[n].model === undefined && config.backends[n].pool === undefined)) {
        findings.push(warning(['routes', i, 'fallback', 'cache'], `route '${route.name}' only has plain (non-model) backends; the fallback cache keeps inference answers only, so it will stay empty`));
      }
    }
  });
  return findings;
};

function routeBackendNames(route: { backend?: string | undefined; rollout?: unknown; experiment?: unknown }): string[] {
  if (route.backend !== undefined) return [route.backend];
  const rollout = route.rollout as { stable?: string; canary?: string; active?: string; preview?: string } | undefined;
  if (rollout !== undefined) return [rollout.stable, rollout.canary, rollout.active, rollout.preview].filter((n): n is string => n !== undefined);
  const experiment = route.experiment as { variants?: { backend: string }[] } | undefined;
  return experiment?.variants?.map((v) => v.backend) ?? [];
}
