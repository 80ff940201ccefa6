import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchObserver } from '../batching/observer.js';

/** Seconds; spans sub-millisecond JSON models to multi-second CNN batches. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** The worker's Prometheus metrics, created once per process and served at GET /metrics. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'switchyard_worker_requests_total',
    help: 'Inference requests by model, version and outcome (ok, client_error, rejected, timeout, error).',
    labelNames: ['model', 'version', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'switchyard_worker_request_duration_seconds',
    help: 'Time from a request being read to its answer being written, in seconds.',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'switchyard_worker_queue_depth',
    help: 'Requests waiting in the batch queue.',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'switchyard_worker_batch_size',
    help: 'Rows per executed batch.',
    labelNames: ['model', 'version'] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly queueSeconds = new Histogram({
    name: 'switchyard_worker_queue_seconds',
    help: 'Time a request waited in the batch queue, in seconds.',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly computeSeconds = new Histogram({
    name: 'switchyard_worker_compute_seconds',
    help: 'Time onnxruntime spent on one batch, in seconds.',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private inFlightSource: () => number = () => 0;
  readonly inFlight = new Gauge({
    name: 'switchyard_worker_inflight_requests',
    help: 'Inference requests read and not yet answered.',
    registers: [this.registry],
    collect: () => {
      this.inFlight.set(this.inFlightSource());
    },
  });

  trackInFlight(source: () => number): void {
    this.inFlightSource = source;
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_worker_' });
  }
}

/** Feeds the batcher's reports into the worker's histograms and gauges. */
export function metricsObserver(metrics: WorkerMetrics): BatchObserver {
  return {
    batchExecuted(labels, batch) {
      metrics.batchSize.observe(labels, batch.rows);
      metrics.computeSeconds.observe(labels, batch.computeSeconds);
      for (const s of batch.queueSeconds) metrics.queueSeconds.observe(labels, s);
    },
    queueDepthChanged(labels, depth) {
      metrics.queueDepth.set(labels, depth);
    },
    requestRejected() {
      // Rejections are already counted by outcome in switchyard_worker_requests_total.
    },
  };
}
