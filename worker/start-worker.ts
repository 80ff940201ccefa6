import type { Logger } from '../observability/logger.js';
import { ModelRegistry, type DeviceDefaults } from './registry/model-registry.js';
import type { RunnerFactory } from './registry/types.js';
import { WorkerHttpServer } from './server/http-server.js';
import { WorkerGrpcServer } from './server/grpc/grpc-server.js';
import { WorkerMetrics, metricsObserver } from './server/metrics.js';
import type { ModelControlMode } from './server/repository-api.js';
import { JobManager } from './jobs/job-manager.js';
import { MemoryJobStore, type JobStore } from './jobs/job-store.js';
import { jobRoutes } from './jobs/jobs-api.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES } from './server/http-server.js';
import { DEFAULT_REPOSITORY_POLL_SECONDS, RepositoryPoller } from './registry/repository-poller.js';
import { WORKER_TOKEN_ENV, workerExposureProblem } from './server/control-auth.js';

export const DEFAULT_WORKER_HTTP_PORT = 8000;
export const DEFAULT_WORKER_GRPC_PORT = 8001;
/** Every interface, as Triton does: gateways on other machines reach it. */
export const DEFAULT_WORKER_HOST = '0.0.0.0';

export interface WorkerOptions {
  readonly modelsDir: string;
  /** 0 picks a free port. */
  readonly httpPort: number;
  /** gRPC port (0 picks a free one); undefined serves no gRPC. */
  readonly grpcPort?: number;
  /** Address to listen on (default 0.0.0.0). Off loopback the control plane needs a token, or the worker refuses to start. */
  readonly host?: string;
  /** Bearer token of the control plane (load, unload, job cancel); default: the SWITCHYARD_WORKER_TOKEN environment variable. */
  readonly controlToken?: string;
  readonly log: Logger;
  readonly maxBodyBytes?: number;
  readonly createRunner: RunnerFactory;
  /** Device for models whose model.yaml names none. */
  readonly deviceDefaults?: DeviceDefaults;
  readonly metrics?: WorkerMetrics;
  /** none | explicit (default) | poll: whether models may be loaded and unloaded while running. */
  readonly modelControl?: ModelControlMode;
  /** Seconds between repository polls in poll mode (default 10). */
  readonly repositoryPollSeconds?: number;
  /** Where batch jobs live; default in memory (a restart loses them). A RedisJobStore resumes them. */
  readonly jobStore?: JobStore;
  /** Longest SIGTERM drain of the listeners, ms (default DEFAULT_DRAIN_TIMEOUT_MS, 25 s). */
  readonly drainTimeoutMs?: number;
}

export interface RunningWorker {
  readonly httpPort: number;
  /** undefined when no gRPC port was asked for. */
  readonly grpcPort: number | undefined;
  readonly registry: ModelRegistry;
  readonly metrics: WorkerMetrics;
  readonly http: WorkerHttpServer;
  readonly grpc: WorkerGrpcServer | undefined;
  /** Set in poll mode. */
  readonly poller: RepositoryPoller | undefined;
  readonly jobs: JobManager;
  /** Not ready, stop accepting, finish in-flight requests (within the drain time limit), stop the model threads. */
  drain(): Promise<void>;
}

/**
 * Starts one worker: the listener comes up first (live, not ready), then every model version
 * is loaded and warmed up, and only then does /v2/health/ready answer 200.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const host = options.host ?? DEFAULT_WORKER_HOST;
  const controlToken = (options.controlToken ?? process.env[WORKER_TOKEN_ENV]) || undefined;
  const exposure = workerExposureProblem(host, controlToken);
  if (exposure !== undefined) throw new Error(exposure);
  const metrics = options.metrics ?? new WorkerMetrics();
  const registry = new ModelRegistry(options.createRunner, options.log, metricsObserver(metrics), options.deviceDefaults);
  const jobs = new JobManager(registry, options.jobStore ?? new MemoryJobStore(), options.log.child({ component: 'jobs' }));
  const http = new WorkerHttpServer({
    registry, metrics, log: options.log, maxBodyBytes: options.maxBodyBytes, modelControl: options.modelControl, controlToken,
    extraRoutes: jobRoutes(jobs, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
  });
  const httpPort = await http.listen(options.httpPort, host);
  const grpc = options.grpcPort === undefined ? undefined : new WorkerGrpcServer({ registry, metrics, log: options.log, maxMessageBytes: options.maxBodyBytes });
  if (grpc) metrics.trackInFlight(() => http.inFlightRequests + grpc.inFlightRequests);
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const stopListeners = (): Promise<unknown> => Promise.all([http.drain(drainTimeoutMs), grpc?.drain(drainTimeoutMs)]);
  let grpcPort: number | undefined;
  try {
    grpcPort = await grpc?.listen(options.grpcPort!, host);
    await registry.loadRepository(options.modelsDir);
  } catch (err) {
    await jobs.store.close();
    await stopListeners();
    await registry.close();
    throw err;
  }
  http.setReady(true);
  grpc?.setReady(true);
  const poller = options.modelControl === 'poll'
    ? new RepositoryPoller(registry, (options.repositoryPollSeconds ?? DEFAULT_REPOSITORY_POLL_SECONDS) * 1000, options.log)
    : undefined;
  poller?.start();
  const resumed = await jobs.resume();
  if (resumed.length > 0) options.log.info({ jobs: resumed.length }, 'resuming unfinished batch jobs');
  options.log.info({ httpPort, grpcPort, models: registry.modelNames() }, 'worker ready');
  let drained: Promise<void> | undefined;
  return {
    httpPort,
    grpcPort,
    registry,
    metrics,
    http,
    grpc,
    poller,
    jobs,
    drain: () => (drained ??= (async () => {
      // Readiness fails and the listeners stop accepting first; jobs and the poller stop meanwhile.
      const listeners = stopListeners();
      await poller?.stop();
      // A running job stops after its chunk in flight and stays unfinished in the store, to be resumed.
      await jobs.close();
      await jobs.store.close();
      await listeners;
      await registry.close();
    })()),
  };
}
