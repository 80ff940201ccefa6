import { Counter, Gauge, type Registry } from 'prom-client';

/** The reasons a session or connection is counted as errored; the metric's only label. */
export const SESSION_ERROR_REASONS = ['protocol_error', 'too_many_pings', 'reset', 'accept_error'] as const;

/**
 * A gRPC listener's connection metrics, on the process's registry under its prefix
 * (`switchyard_gateway_` or `switchyard_worker_`): connections open, connections refused over
 * the limit, and sessions that ended with an error, by reason.
 */
export class GrpcListenerMetrics {
  private connectionSource: () => number = () => 0;
  readonly connections: Gauge;
  readonly refused: Counter;
  readonly sessionErrors: Counter<'reason'>;

  constructor(registry: Registry, prefix: 'switchyard_gateway_' | 'switchyard_worker_') {
    this.connections = new Gauge({
      name: `${prefix}grpc_connections`, help: 'Client connections the gRPC listener holds now.', registers: [registry],
      collect: () => this.connections.set(this.connectionSource()),
    });
    this.refused = new Counter({
      name: `${prefix}grpc_connections_refused_total`, help: 'gRPC client connections closed at accept because the listener held its maximum.', registers: [registry],
    });
    this.sessionErrors = new Counter({
      name: `${prefix}grpc_session_errors_total`,
      help: 'gRPC connections ended by an error, by reason (protocol_error, too_many_pings, reset, accept_error).',
      labelNames: ['reason'] as const, registers: [registry],
    });
    for (const reason of SESSION_ERROR_REASONS) this.sessionErrors.labels(reason).inc(0);
  }

  trackConnections(source: () => number): void {
    this.connectionSource = source;
  }
}
