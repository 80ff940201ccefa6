import path from 'node:path';
import type { GatewayConfig } from './schema.js';

/**
 * Relative paths in the config resolve against the config file's directory, as named (not
 * through symlinks): with a Kubernetes ConfigMap mounted at /etc/switchyard, 'tls/cert.pem'
 * is /etc/switchyard/tls/cert.pem whichever '..data' generation is current. The loaded config
 * carries absolute paths, so nothing downstream depends on the working directory.
 */
export function resolveConfigPaths(config: GatewayConfig, baseDir: string): GatewayConfig {
  const abs = (p: string): string => path.resolve(baseDir, p);
  const withTls = <L extends { tls?: { cert: string; key: string } | undefined }>(listener: L): L =>
    listener.tls === undefined ? listener : { ...listener, tls: { cert: abs(listener.tls.cert), key: abs(listener.tls.key) } };
  return {
    ...config,
    listeners: { ...config.listeners, http: withTls(config.listeners.http), grpc: withTls(config.listeners.grpc) },
    pools: Object.fromEntries(Object.entries(config.pools).map(([name, pool]) => [name, { ...pool, models: abs(pool.models) }])),
  };
}
