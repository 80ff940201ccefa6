import type { ConfigFinding } from '../errors.js';
import { error } from '../errors.js';
import type { GatewayConfig, RouteConfig } from '../schema.js';
import { unknownNameMessage } from '../suggest.js';
import type { Check } from './context.js';

const TARGET_KEYS = ['backend', 'rollout', 'experiment'] as const;

/** Each route has exactly one target, and every backend a target names exists. */
export const checkTargets: Check = (config) =>
  config.routes.flatMap((route, i) => {
    const at = ['routes', i];
    const present = TARGET_KEYS.filter((key) => route[key] !== undefined);
    if (present.length === 0) {
      return [error(at, `route '${route.name}' has no target; add exactly one of 'backend', 'rollout' or 'experiment'`)];
    }
    if (present.length > 1) {
      return [error([...at, present[1]!], `route '${route.name}' has both '${present[0]}' and '${present[1]}'; a route has exactly one of 'backend', 'rollout' or 'experiment'`)];
    }
    return backendRefs(route).flatMap(([path, name]) => referenceFindings(config, [...at, ...path], name));
  });

/** Every (relative path, backend name) a route's target refers to. */
function backendRefs(route: RouteConfig): Array<[PropertyKey[], string]> {
  if (route.backend !== undefined) return [[['backend'], route.backend]];
  if (route.rollout?.strategy === 'canary') return [[['rollout', 'stable'], route.rollout.stable], [['rollout', 'canary'], route.rollout.canary]];
  if (route.rollout?.strategy === 'blueGreen') return [[['rollout', 'active'], route.rollout.active], [['rollout', 'preview'], route.rollout.preview]];
  return (route.experiment?.variants ?? []).map((v, j): [PropertyKey[], string] => [['experiment', 'variants', j, 'backend'], v.backend]);
}

function referenceFindings(config: GatewayConfig, path: PropertyKey[], name: string): ConfigFinding[] {
  const defined = Object.keys(config.backends);
  return defined.includes(name) ? [] : [error(path, unknownNameMessage('backend', 'backends', name, defined))];
}
