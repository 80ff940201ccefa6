import path from 'node:path';
import type { ConfigFinding } from '../errors.js';
import { error, warning } from '../errors.js';
import type { GatewayConfig } from '../schema.js';
import type { Check } from './context.js';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** TLS files exist, relative to the config file's directory. */
export const checkTlsFiles: Check = (config, context) =>
  (['http', 'grpc'] as const).flatMap((name) => {
    const tls = config.listeners[name].tls;
    if (tls === undefined) return [];
    return (['cert', 'key'] as const).flatMap((field) => {
      const resolved = path.resolve(context.baseDir, tls[field]);
      if (context.fileExists(resolved)) return [];
      const how = path.isAbsolute(tls[field]) ? '' : ` (relative paths resolve against the config file's directory, ${context.baseDir})`;
      return [error(['listeners', name, 'tls', field], `file '${resolved}' does not exist or is not a regular file${how}`)];
    });
  });

interface Binding {
  readonly path: PropertyKey[];
  readonly what: string;
  readonly host: string;
  readonly port: number;
}

/** Everything the stack binds on this machine: the gateway's listeners and fixed worker ports. */
function bindings(config: GatewayConfig): Binding[] {
  const result: Binding[] = (['http', 'grpc', 'admin'] as const).map((name) => ({
    path: ['listeners', name, 'port'], what: `listeners.${name}`, host: config.listeners[name].host, port: config.listeners[name].port,
  }));
  for (const [name, pool] of Object.entries(config.pools)) {
    // Workers' bind address is not configurable here; assume all interfaces, the strict case.
    for (const field of ['httpPort', 'grpcPort'] as const) {
      result.push({ path: ['pools', name, field], what: `pools.${name}.${field}`, host: '0.0.0.0', port: pool[field] });
    }
  }
  return result.filter((b) => b.port !== 0);
}

function overlaps(a: string, b: string): boolean {
  return a === b || WILDCARD_HOSTS.has(a) || WILDCARD_HOSTS.has(b);
}

/** No two things bind the same port (0, "pick a free one", never clashes). */
export const checkPorts: Check = (config) => {
  const findings: ConfigFinding[] = [];
  const seen: Binding[] = [];
  for (const binding of bindings(config)) {
    const clash = seen.find((b) => b.port === binding.port && overlaps(b.host, binding.host));
    if (clash) findings.push(error(binding.path, `port ${binding.port} is already used by ${clash.what} (${clash.host}:${clash.port}); give each listener its own port, or 0 to pick a free one`));
    seen.push(binding);
  }
  for (const [name, pool] of Object.entries(config.pools)) {
    for (const field of ['httpPort', 'grpcPort'] as const) {
      if (pool[field] !== 0 && pool.replicas > 1) {
        findings.push(error(['pools', name, field], `is fixed at ${pool[field]} but the pool has ${pool.replicas} replicas, which cannot share a port; set ${field}: 0 to let each worker pick a free one`));
      }
    }
  }
  return findings;
};

/** The admin API can promote and abort rollouts: say so when it listens beyond loopback. */
export const checkAdminExposure: Check = (config) => {
  const host = config.listeners.admin.host;
  if (LOOPBACK_HOSTS.has(host)) return [];
  return [warning(['listeners', 'admin', 'host'], `the admin API listens on ${host}, not loopback; anyone who can reach it can promote, abort and switch rollouts, so keep it behind a firewall or use 127.0.0.1`)];
};
