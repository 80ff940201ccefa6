import type { GatewayConfig, RouteConfig } from './schema.js';
import { startingWeight } from './schema.js';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "canary fraud-v1 → fraud-v2 at 20%", one route's target in a few words. */
export function describeTarget(route: RouteConfig): string {
  if (route.backend !== undefined) return `backend ${route.backend}`;
  const rollout = route.rollout;
  if (rollout?.strategy === 'canary') {
    return `canary ${rollout.stable} → ${rollout.canary} starting at ${startingWeight(rollout)}%`;
  }
  if (rollout?.strategy === 'blueGreen') return `blue-green, active ${rollout.active}, preview ${rollout.preview}`;
  const experiment = route.experiment;
  if (experiment) return `experiment ${experiment.id} (${experiment.variants.map((v) => `${v.name} ${v.weight}%`).join(', ')})`;
  return 'no target';
}

/** One paragraph a person reads after `switchyard config check` to see the file says what they meant. */
export function summarizeConfig(config: GatewayConfig): string {
  const backends = Object.values(config.backends);
  const modelAware = backends.filter((b) => b.model !== undefined).length;
  const pools = Object.entries(config.pools);
  const workers = pools.reduce((n, [, pool]) => n + pool.replicas, 0);
  const { http, grpc, admin } = config.listeners;
  const routes = config.routes.map((r) => `${r.name} (${r.match.pathPrefix}: ${describeTarget(r)})`).join('; ');
  const poolText = pools.length === 0 ? 'no worker pools' : `${plural(pools.length, 'pool')} (${pools.map(([name, p]) => `${name}: ${plural(p.replicas, 'worker')} on ${p.device}`).join(', ')}; ${plural(workers, 'worker process', 'worker processes')} in all)`;
  return [
    `${plural(config.routes.length, 'route')}: ${routes}.`,
    `${plural(backends.length, 'backend')} (${modelAware} model-aware, ${backends.length - modelAware} plain proxy), ${poolText}.`,
    `Listening on http ${http.host}:${http.port}${http.tls ? ' (TLS)' : ''}, grpc ${grpc.host}:${grpc.port}, admin ${admin.host}:${admin.port};`,
    config.store ? `state in Redis at ${redactedUrl(config.store.redis)}.` : 'state in memory (one replica).',
  ].join(' ');
}

/** Passwords in a Redis URL never reach a terminal or a log. */
function redactedUrl(text: string): string {
  const url = new URL(text);
  if (url.password !== '') url.password = '***';
  return url.toString();
}
