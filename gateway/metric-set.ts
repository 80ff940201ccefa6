import { GrpcListenerMetrics } from '../protocol/grpc/listener-metrics.js';
import { ExperimentMetrics } from './experiments/metrics.js';
import { ShadowBook } from './filters/shadow/book.js';
import { GatewayMetrics } from './metrics.js';
import { NotificationMetrics } from './notifications/metrics.js';
import { ResilienceMetrics } from './resilience/metrics.js';
import { RolloutMetrics } from './rollout/metrics.js';

/** Every metric family a gateway replica exports, all on one registry (GatewayMetrics.registry). */
export interface GatewayMetricSet {
  readonly metrics: GatewayMetrics;
  readonly experiments: ExperimentMetrics;
  readonly resilience: ResilienceMetrics;
  readonly rollouts: RolloutMetrics;
  readonly shadows: ShadowBook;
  /** The public gRPC listener's connections, refusals and session errors. */
  readonly grpcListener: GrpcListenerMetrics;
  /** Webhook deliveries, retries and drops. */
  readonly notifications: NotificationMetrics;
}

/**
 * Builds the gateway's metrics as startGateway registers them. One place, so the deploy test
 * that checks the Grafana dashboard against the exported families reads the same registry.
 */
export function createGatewayMetrics(): GatewayMetricSet {
  const metrics = new GatewayMetrics();
  return {
    metrics,
    experiments: new ExperimentMetrics(metrics.registry),
    resilience: new ResilienceMetrics(metrics.registry),
    rollouts: new RolloutMetrics(metrics.registry),
    shadows: new ShadowBook(metrics.registry),
    grpcListener: new GrpcListenerMetrics(metrics.registry, 'switchyard_gateway_'),
    notifications: new NotificationMetrics(metrics.registry),
  };
}
