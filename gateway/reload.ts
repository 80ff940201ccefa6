import type { Logger } from '../observability/logger.js';
import { formatConfigError } from './config/errors.js';
import type { ConfigSource } from './config/load.js';
import type { GatewayConfig } from './config/schema.js';
import type { ConfigWatcher } from './config/watch.js';
import { watchConfig } from './config/watch.js';
import type { HealthProber } from './health/prober.js';
import type { GatewayMetrics } from './metrics.js';
import type { CompiledGateway } from './routing/compile.js';
import type { GatewayRuntime } from './runtime.js';
import type { DataServer } from './server/data-server.js';

export interface ReloadDeps {
  readonly file: string;
  readonly source: ConfigSource;
  readonly runtime: GatewayRuntime;
  readonly data: DataServer;
  readonly prober: HealthProber;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly compile: (config: GatewayConfig, source: ConfigSource) => Promise<CompiledGateway>;
  readonly debounceMs: number | undefined;
}

/**
 * Hot reload through the config owner's watcher: a good file is compiled off to the side and
 * swapped in; a bad one is counted, logged with file:line:col, kept for /admin/config/errors,
 * and the running config stays. Listener addresses do not change without a restart (said in
 * the log); the HTTPS certificate does.
 */
export function watchReloads(deps: ReloadDeps): ConfigWatcher {
  const watcher = watchConfig<CompiledGateway>({
    file: deps.file,
    current: deps.source,
    compile: deps.compile,
    debounceMs: deps.debounceMs,
    onApply: ({ compiled, config, source, warnings }) => {
      const before = deps.runtime.current.config.listeners;
      deps.runtime.swap(compiled);
      if (compiled.tls !== undefined) deps.data.setTls(compiled.tls);
      deps.metrics.reloadSucceeded(source.loadedAt);
      void deps.prober.probeAll().catch(() => undefined);
      for (const w of warnings) deps.log.warn({ event: 'config_warning' }, formatConfigError(w, 'warning'));
      if (JSON.stringify(before) !== JSON.stringify(config.listeners) && !onlyTlsFilesDiffer(before, config.listeners)) {
        deps.log.warn({ event: 'restart_needed' }, 'listener addresses or TLS on/off changed; they apply after a restart');
      }
      deps.log.info({ event: 'config_reloaded', hash: source.hash }, 'config reloaded');
    },
    onError: (errors) => {
      deps.metrics.reloadFailed();
      for (const e of errors) deps.log.error({ event: 'config_rejected' }, formatConfigError(e));
    },
  });
  return watcher;
}

function onlyTlsFilesDiffer(a: GatewayConfig['listeners'], b: GatewayConfig['listeners']): boolean {
  const strip = (l: GatewayConfig['listeners']): string =>
    JSON.stringify({ ...l, http: { ...l.http, tls: l.http.tls !== undefined }, grpc: { ...l.grpc, tls: l.grpc.tls !== undefined } });
  return strip(a) === strip(b);
}
