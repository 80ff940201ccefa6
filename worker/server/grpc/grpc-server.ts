import { Server, ServerCredentials } from '@grpc/grpc-js';
import { GrpcListenerGuard } from '../../../protocol/grpc/listener-guard.js';
import { healthService, inferenceService } from '../../../protocol/grpc/load.js';
import { grpcServerOptions } from '../../../protocol/grpc/server-options.js';
import { toGrpcStatus } from '../../../protocol/grpc/status.js';
import type { Logger } from '../../../observability/logger.js';
import { shuttingDown } from '../../errors.js';
import type { ModelRegistry } from '../../registry/model-registry.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES } from '../http-server.js';
import type { WorkerMetrics } from '../metrics.js';
import { GrpcInference } from './grpc-inference.js';
import { HealthReporter } from './health-service.js';
import { InFlight } from './in-flight.js';
import { inferenceServiceHandlers } from './inference-service.js';
import type { OpenStream } from './stream-infer.js';

export interface WorkerGrpcOptions {
  readonly registry: ModelRegistry;
  readonly metrics: WorkerMetrics;
  readonly log: Logger;
  /** Largest request message in bytes; default the REST body limit (32 MiB). */
  readonly maxMessageBytes?: number;
  /** Client connections held at once; further ones are closed at accept. Default DEFAULT_MAX_GRPC_CONNECTIONS. */
  readonly maxConnections?: number;
}

/** Connections the worker's gRPC listener holds at once (the gateway keeps one per worker; clients add theirs). */
export const DEFAULT_MAX_GRPC_CONNECTIONS = 10_000;

/**
 * The worker's gRPC listener: inference.GRPCInferenceService (Open Inference Protocol v2,
 * as Triton and KServe serve it) and grpc.health.v1.Health, on the same registry, batchers
 * and metrics as the REST listener.
 */
export class WorkerGrpcServer {
  readonly server: Server;
  private ready = false;
  private draining = false;
  private readonly inFlight = new InFlight();
  private readonly streams = new Set<OpenStream>();
  private readonly health: HealthReporter;
  private guard: GrpcListenerGuard | undefined;

  constructor(private readonly options: WorkerGrpcOptions) {
    const { registry, metrics, log } = options;
    this.server = new Server(grpcServerOptions({ maxReceiveMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_BODY_BYTES }));
    this.health = new HealthReporter(() => this.ready && registry.allReady());
    const inference = new GrpcInference({ registry, metrics, log, inFlight: this.inFlight, isDraining: () => this.draining });
    this.server.addService(inferenceService().service, inferenceServiceHandlers({
      registry,
      inference,
      log,
      isReady: () => this.ready,
      streams: this.streams,
    }));
    this.server.addService(healthService().service, this.health.handlers());
  }

  /** Binds `host:port` (0 picks a free port) and resolves with the port. */
  listen(port: number, host = '0.0.0.0'): Promise<number> {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => {
        if (err) return reject(new Error(`cannot listen for gRPC on ${address}: ${err.message}`, { cause: err }));
        try {
          this.guard = new GrpcListenerGuard(this.server, {
            maxConnections: this.options.maxConnections ?? DEFAULT_MAX_GRPC_CONNECTIONS, metrics: this.options.metrics.grpcListener, log: this.options.log.child({ listener: 'grpc' }),
          });
        } catch (guardErr) {
          this.server.forceShutdown();
          return reject(guardErr as Error);
        }
        resolve(bound);
      });
    });
  }

  /** Inference requests read and not yet answered (unary and streamed). */
  get inFlightRequests(): number {
    return this.inFlight.size;
  }

  /** Resolves when no inference request is in flight. */
  whenIdle(): Promise<void> {
    return this.inFlight.whenIdle();
  }

  setReady(ready: boolean): void {
    this.ready = ready;
    this.health.changed();
  }

  /**
   * SIGTERM path, as REST's: report NOT_SERVING, refuse new inference (UNAVAILABLE), wait for
   * the requests in flight, end open streams (UNAVAILABLE, after their answers) and health
   * watches, then close the listener. After `timeoutMs` whatever is left is cut.
   */
  async drain(timeoutMs: number = DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
    this.ready = false;
    this.draining = true;
    this.health.changed();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), timeoutMs)));
    const finished = (async () => {
      await this.inFlight.whenIdle();
      const status = toGrpcStatus(shuttingDown());
      await Promise.all([...this.streams].map((s) => s.close(status)));
      this.health.endWatches();
      await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    })();
    const outcome = await Promise.race([finished, expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.options.log.warn({ timeoutMs, inFlight: this.inFlight.size }, 'gRPC drain time limit reached: cutting the calls still open');
      this.health.endWatches();
      this.server.forceShutdown();
    }
    this.guard?.stop();
  }
}
