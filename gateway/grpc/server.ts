import { Server, ServerCredentials } from '@grpc/grpc-js';
import { GrpcListenerGuard } from '../../protocol/grpc/listener-guard.js';
import type { GrpcListenerMetrics } from '../../protocol/grpc/listener-metrics.js';
import { healthService } from '../../protocol/grpc/load.js';
import { grpcServerOptions } from '../../protocol/grpc/server-options.js';
import { toGrpcStatus } from '../../protocol/grpc/status.js';
import type { Logger } from '../../observability/logger.js';
import type { LimitsConfig } from '../config/schema.js';
import { HealthReporter } from '../../worker/server/grpc/health-service.js';
import { InFlight } from '../../worker/server/grpc/in-flight.js';
import { shuttingDown } from '../errors.js';
import { readiness } from '../health/readiness.js';
import type { RequestRecorder } from '../metrics.js';
import type { GatewayRuntime } from '../runtime.js';
import { gatewayInferenceDefinition, gatewayInferenceHandlers } from './service.js';
import type { OpenGatewayStream } from './stream.js';

/** How often Health.Watch re-reads readiness (probe results change on their own), ms. */
export const HEALTH_WATCH_INTERVAL_MS = 1_000;

export interface GatewayGrpcOptions {
  readonly runtime: GatewayRuntime;
  readonly log: Logger;
  readonly noRoute: RequestRecorder;
  /** Largest message in either direction, bytes (limits.maxBodyBytes). */
  readonly maxMessageBytes: number;
  /** PEM cert and key: the listener serves TLS. */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** limits.maxGrpcConnections and limits.maxGrpcStreamsPerConnection. */
  readonly limits: Pick<LimitsConfig, 'maxGrpcConnections' | 'maxGrpcStreamsPerConnection'>;
  /** Where the listener counts connections, refusals and session errors (createGatewayMetrics). */
  readonly metrics: GrpcListenerMetrics;
}

/**
 * The gateway's public gRPC listener: inference.GRPCInferenceService routed through the same
 * compiled routes and chains as HTTP (see dispatch.ts), and grpc.health.v1.Health, SERVING
 * while the gateway is ready (the /readyz rule).
 */
export class GatewayGrpcServer {
  readonly server: Server;
  private readonly inFlight = new InFlight();
  private readonly streams = new Set<OpenGatewayStream>();
  private readonly health: HealthReporter;
  private readonly ticker: NodeJS.Timeout;
  private guard: GrpcListenerGuard | undefined;

  constructor(private readonly options: GatewayGrpcOptions) {
    const { runtime, log, noRoute } = options;
    this.server = new Server(grpcServerOptions({
      maxReceiveMessageBytes: options.maxMessageBytes,
      maxSendMessageBytes: options.maxMessageBytes,
      maxConcurrentStreams: options.limits.maxGrpcStreamsPerConnection,
    }));
    this.server.addService(gatewayInferenceDefinition(), gatewayInferenceHandlers({
      runtime, log, noRoute, scheme: options.tls === undefined ? 'http' : 'https', inFlight: this.inFlight, streams: this.streams,
    }));
    this.health = new HealthReporter(() => readiness(runtime.current, runtime.draining).ready);
    this.server.addService(healthService().service, this.health.handlers());
    this.ticker = setInterval(() => this.health.changed(), HEALTH_WATCH_INTERVAL_MS).unref();
  }

  /** Binds host:port (0 picks a free port) and resolves with the port. */
  listen(port: number, host: string): Promise<number> {
    const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
    const tls = this.options.tls;
    const credentials = tls === undefined ? ServerCredentials.createInsecure() : ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }]);
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, credentials, (err, bound) => {
        if (err === null) {
          try {
            this.guard = new GrpcListenerGuard(this.server, {
              maxConnections: this.options.limits.maxGrpcConnections, metrics: this.options.metrics, log: this.options.log,
            });
          } catch (guardErr) {
            this.server.forceShutdown();
            return reject(guardErr as Error);
          }
          return resolve(bound);
        }
        const inUse = /EADDRINUSE|address already in use/i.test(err.message);
        reject(new Error(inUse
          ? `listeners.grpc: ${address} is already in use; pick another port (0 picks a free one)`
          : `listeners.grpc: cannot listen on ${address}: ${err.message}`));
      });
    });
  }

  get inFlightRequests(): number {
    return this.inFlight.size;
  }

  /**
   * Drain: health NOT_SERVING at once (the runtime is draining), new calls get UNAVAILABLE
   * SHUTTING_DOWN, calls in flight finish (up to `deadline`), open streams end UNAVAILABLE
   * after their answers, then the listener closes; past the deadline it is cut.
   */
  async drain(deadline: Promise<void>): Promise<void> {
    clearInterval(this.ticker);
    this.health.changed();
    await Promise.race([this.inFlight.whenIdle(), deadline]);
    const status = toGrpcStatus(shuttingDown());
    await Promise.race([Promise.all([...this.streams].map((s) => s.close(status))), deadline]);
    this.health.endWatches();
    let shut = false;
    await Promise.race([new Promise<void>((resolve) => this.server.tryShutdown(() => resolve())).then(() => (shut = true)), deadline]);
    if (!shut) this.server.forceShutdown();
    this.guard?.stop();
  }
}
