import type { Logger } from '../observability/logger.js';
import { ModelRegistry } from './registry/model-registry.js';
import type { RunnerFactory } from './registry/types.js';
import { WorkerHttpServer } from './server/http-server.js';
import { WorkerMetrics, metricsObserver } from './server/metrics.js';

export const DEFAULT_WORKER_HTTP_PORT = 8000;
export const DEFAULT_WORKER_GRPC_PORT = 8001;

export interface WorkerOptions {
  readonly modelsDir: string;
  /** 0 picks a free port. */
  readonly httpPort: number;
  readonly host?: string;
  readonly log: Logger;
  readonly maxBodyBytes?: number;
  readonly createRunner: RunnerFactory;
  readonly metrics?: WorkerMetrics;
}

export interface RunningWorker {
  readonly httpPort: number;
  readonly registry: ModelRegistry;
  readonly metrics: WorkerMetrics;
  readonly http: WorkerHttpServer;
  /** Not ready, finish in-flight requests, stop the listener and the model threads. */
  drain(): Promise<void>;
}

/**
 * Starts one worker: the listener comes up first (live, not ready), then every model version
 * is loaded and warmed up, and only then does /v2/health/ready answer 200.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const metrics = options.metrics ?? new WorkerMetrics();
  const registry = new ModelRegistry(options.createRunner, options.log, metricsObserver(metrics));
  const http = new WorkerHttpServer({ registry, metrics, log: options.log, maxBodyBytes: options.maxBodyBytes });
  const httpPort = await http.listen(options.httpPort, options.host);
  try {
    await registry.loadRepository(options.modelsDir);
  } catch (err) {
    await http.drain();
    await registry.close();
    throw err;
  }
  http.setReady(true);
  options.log.info({ httpPort, models: registry.modelNames() }, 'worker ready');
  let drained: Promise<void> | undefined;
  return {
    httpPort,
    registry,
    metrics,
    http,
    drain: () => (drained ??= (async () => {
      await http.drain();
      await registry.close();
    })()),
  };
}
