import { Gauge, Registry } from 'prom-client';
import { collectProcessMetrics } from '../../observability/process-metrics.js';
import { PreboundCounter, PreboundGauge, PreboundHistogram, type GaugeSeries, type HistogramSeries } from '../../observability/prebound-metrics.js';
import type { BatchObserver, ModelLabels } from '../batching/observer.js';
import { GrpcListenerMetrics } from '../../protocol/grpc/listener-metrics.js';

/** Seconds; spans sub-millisecond JSON models to multi-second CNN batches. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** The worker's Prometheus metrics, created once per process and served at GET /metrics. */
export class WorkerMetrics {
  readonly registry = new Registry();
  // Labelled series are bound once per label values (observability/prebound-metrics.ts): they are touched on every request.
  readonly requests = new PreboundCounter(this.registry, 'switchyard_worker_requests_total', 'Inference requests by model, version and outcome (ok, client_error, rejected, timeout, error).', ['model', 'version', 'outcome']);
  readonly requestSeconds = new PreboundHistogram(this.registry, 'switchyard_worker_request_duration_seconds', 'Time from a request being read to its answer being written, in seconds.', ['model', 'version'], LATENCY_BUCKETS);
  readonly queueDepth = new PreboundGauge(this.registry, 'switchyard_worker_queue_depth', 'Requests waiting in the batch queue.', ['model', 'version']);
  readonly batchSize = new PreboundHistogram(this.registry, 'switchyard_worker_batch_size', 'Rows per executed batch.', ['model', 'version'], BATCH_BUCKETS);
  readonly queueSeconds = new PreboundHistogram(this.registry, 'switchyard_worker_queue_seconds', 'Time a request waited in the batch queue, in seconds.', ['model', 'version'], LATENCY_BUCKETS);
  readonly computeSeconds = new PreboundHistogram(this.registry, 'switchyard_worker_compute_seconds', 'Time onnxruntime spent on one batch, in seconds.', ['model', 'version'], LATENCY_BUCKETS);

  private inFlightSource: () => number = () => 0;
  readonly inFlight = new Gauge({
    name: 'switchyard_worker_inflight_requests',
    help: 'Inference requests read and not yet answered.',
    registers: [this.registry],
    collect: () => {
      this.inFlight.set(this.inFlightSource());
    },
  });

  /** The gRPC listener's connections, refusals and session errors. */
  readonly grpcListener = new GrpcListenerMetrics(this.registry, 'switchyard_worker_');

  trackInFlight(source: () => number): void {
    this.inFlightSource = source;
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectProcessMetrics(this.registry, 'switchyard_worker_');
  }
}

/** Feeds the batcher's reports into the worker's histograms and gauges. */
export function metricsObserver(metrics: WorkerMetrics): BatchObserver {
  // Each batcher passes one labels object for its whole life: its series are bound on first use.
  const bound = new WeakMap<ModelLabels, VersionSeries>();
  const seriesOf = (labels: ModelLabels): VersionSeries => {
    let series = bound.get(labels);
    if (series === undefined) {
      const { model, version } = labels;
      series = {
        batchSize: metrics.batchSize.labels(model, version),
        computeSeconds: metrics.computeSeconds.labels(model, version),
        queueSeconds: metrics.queueSeconds.labels(model, version),
        queueDepth: metrics.queueDepth.labels(model, version),
      };
      bound.set(labels, series);
    }
    return series;
  };
  return {
    batchExecuted(labels, batch) {
      const series = seriesOf(labels);
      series.batchSize.observe(batch.rows);
      series.computeSeconds.observe(batch.computeSeconds);
      for (const s of batch.queueSeconds) series.queueSeconds.observe(s);
    },
    queueDepthChanged(labels, depth) {
      seriesOf(labels).queueDepth.set(depth);
    },
    requestRejected() {
      // Rejections are already counted by outcome in switchyard_worker_requests_total.
    },
  };
}

interface VersionSeries {
  readonly batchSize: HistogramSeries;
  readonly computeSeconds: HistogramSeries;
  readonly queueSeconds: HistogramSeries;
  readonly queueDepth: GaugeSeries;
}
