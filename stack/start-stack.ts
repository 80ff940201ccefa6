import { readdir } from 'node:fs/promises';
import { formatConfigError } from '../gateway/config/errors.js';
import { loadConfig } from '../gateway/config/load.js';
import { startGateway, type RunningGateway } from '../gateway/start-gateway.js';
import type { Logger } from '../observability/logger.js';
import { buildDemoModels } from '../worker/demo-models/build.js';
import { WorkerProcess } from './worker-process.js';

/** The stack could not start for a reason the user can fix (a config error): one line, no stack. */
export class StackStartError extends Error {}

export interface StackOptions {
  readonly configPath: string;
  readonly log: Logger;
  /** Overrides of the config's listener ports (0 picks free ones). */
  readonly httpPort?: number;
  readonly adminPort?: number;
  readonly grpcPort?: number;
}

export interface RunningStack {
  readonly gateway: RunningGateway;
  readonly workers: ReadonlyMap<string, readonly WorkerProcess[]>;
  /** Drain the gateway first (no new traffic), then the workers. */
  stop(): Promise<void>;
}

async function hasModels(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((n) => !n.startsWith('.'));
  } catch {
    return false;
  }
}

/**
 * The embedded stack of `switchyard up`: builds the demo models where a pool's repository is
 * missing, starts each pool's worker processes, then the gateway with their URLs.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { log } = options;
  const loaded = await loadConfig(options.configPath);
  if (!loaded.ok) {
    throw new StackStartError(`the config has ${loaded.errors.length} error(s):\n${loaded.errors.map((e) => formatConfigError(e)).join('\n')}`);
  }
  const workers = new Map<string, WorkerProcess[]>();
  const poolEndpoints: Record<string, string[]> = {};
  const poolGrpcEndpoints: Record<string, string[]> = {};
  const stopWorkers = () => Promise.all([...workers.values()].flat().map((w) => w.stop()));
  try {
    for (const [name, pool] of Object.entries(loaded.config.pools ?? {})) {
      if (pool.endpoints) {
        poolEndpoints[name] = pool.endpoints;
        continue;
      }
      if (!(await hasModels(pool.models))) {
        log.info({ pool: name, dir: pool.models }, 'no models found: building the demo models');
        await buildDemoModels(pool.models, { log: (line) => log.info({ pool: name }, line) });
      }
      const replicas = Array.from({ length: pool.replicas }, (_, index) => new WorkerProcess({ pool: name, index, modelsDir: pool.models, httpPort: pool.httpPort, grpcPort: pool.grpcPort, device: pool.device, onGpuUnavailable: pool.onGpuUnavailable, log }));
      workers.set(name, replicas);
      poolEndpoints[name] = await Promise.all(replicas.map((w) => w.start()));
      poolGrpcEndpoints[name] = replicas.map((w) => w.grpcAddress);
      log.info({ pool: name, endpoints: poolEndpoints[name] }, 'pool ready');
    }
    const gateway = await startGateway({
      configPath: options.configPath, log, poolEndpoints, poolGrpcEndpoints, httpPort: options.httpPort, adminPort: options.adminPort, grpcPort: options.grpcPort,
    });
    return {
      gateway,
      workers,
      async stop() {
        for (const w of [...workers.values()].flat()) w.beginStop();
        await gateway.drain();
        await stopWorkers();
      },
    };
  } catch (err) {
    await stopWorkers();
    throw err;
  }
}
