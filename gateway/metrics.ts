import { Counter, Gauge, Registry } from 'prom-client';
import { collectProcessMetrics } from '../observability/process-metrics.js';
import { PreboundCounter, PreboundHistogram, type CounterSeries } from '../observability/prebound-metrics.js';
import type { Verdict } from './upstream/classify.js';
import { VERDICTS } from './upstream/classify.js';

/** Request duration buckets, seconds: sub-millisecond proxying up to slow model batches. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Metric handles bound to one (route, backend, variant), built at config load, read per request. */
export interface RequestRecorder {
  record(verdict: Verdict, seconds: number): void;
}

/**
 * The gateway's Prometheus metrics, on its own registry (served by the admin listener). Labels
 * are route, backend and variant names from the config and the verdict: never user input.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  constructor() {
    // Process figures (switchyard_gateway_process_resident_memory_bytes, ..._nodejs_heap_size_used_bytes,
    // event-loop lag), as the worker exports them: what capacity planning and soak runs read.
    collectProcessMetrics(this.registry, 'switchyard_gateway_');
  }
  // Bound to their labels at config load: recorded on every request.
  private readonly requests = new PreboundCounter(this.registry,
    'switchyard_gateway_requests_total', 'Requests answered, by route, backend, experiment variant and verdict.',
    ['route', 'backend', 'variant', 'outcome']);
  private readonly duration = new PreboundHistogram(this.registry,
    'switchyard_gateway_request_duration_seconds', 'Time from request arrival to the end of the response, seconds.',
    ['route', 'backend'], DURATION_BUCKETS);
  private readonly connectErrors = new Counter({
    name: 'switchyard_gateway_upstream_connect_errors_total', help: 'Upstream connections that could not be opened, by backend.',
    labelNames: ['backend'] as const, registers: [this.registry],
  });
  private readonly reloads = new Counter({
    name: 'switchyard_config_reloads_total', help: 'Config reloads, by result (success or failure).',
    labelNames: ['result'] as const, registers: [this.registry],
  });
  private readonly lastReloadSuccess = new Gauge({
    name: 'switchyard_config_last_reload_success_timestamp_seconds', help: 'Unix time the config in effect was loaded, seconds.',
    registers: [this.registry],
  });

  recorder(route: string, backend: string, variant: string): RequestRecorder {
    const counters = Object.fromEntries(VERDICTS.map((v) => [v, this.requests.labels(route, backend, variant, v)])) as Record<Verdict, CounterSeries>;
    const histogram = this.duration.labels(route, backend);
    return {
      record(verdict, seconds) {
        counters[verdict].inc();
        histogram.observe(seconds);
      },
    };
  }

  connectError(backend: string): void {
    this.connectErrors.labels(backend).inc();
  }

  reloadSucceeded(at: Date): void {
    this.reloads.labels('success').inc();
    this.lastReloadSuccess.set(at.getTime() / 1000);
  }

  /** The start-up load: sets the timestamp without counting a reload. */
  loaded(at: Date): void {
    this.reloads.labels('success').inc(0);
    this.reloads.labels('failure').inc(0);
    this.lastReloadSuccess.set(at.getTime() / 1000);
  }

  reloadFailed(): void {
    this.reloads.labels('failure').inc();
  }
}
