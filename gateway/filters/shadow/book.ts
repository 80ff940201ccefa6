import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Verdict } from '../../upstream/classify.js';
import type { PairComparison } from '../../rollout/prediction.js';

/** Shadow answer duration buckets, seconds (as the gateway's request histogram). */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A route's shadow figures since the gateway started, as the admin API shows them. */
export interface ShadowFigures {
  readonly route: string;
  readonly backend: string;
  sent: number;
  /** Not sent: the concurrency cap was reached. */
  dropped: number;
  /** Not sent: the request body was not buffered or too large. */
  skipped: number;
  readonly verdicts: Record<Verdict, number>;
  /** Rows compared, rows whose top class agreed, sum of mean absolute differences over compared answers. */
  comparedRows: number;
  agreeingRows: number;
  comparedAnswers: number;
  absDiffSum: number;
  /** Sum over answered shadows of (shadow ms − primary ms). */
  latencyDiffMsSum: number;
  latencyCount: number;
}

/**
 * Every route's shadow figures, kept for the admin API and exported as metrics:
 * switchyard_shadow_requests_total{route,backend,outcome}, switchyard_shadow_compared_rows_total{route,backend,agreement},
 * switchyard_shadow_output_abs_difference_total and switchyard_shadow_compared_answers_total{route,backend},
 * switchyard_shadow_duration_seconds and switchyard_shadow_mean_latency_difference_seconds.
 */
export class ShadowBook {
  private readonly routes = new Map<string, ShadowFigures>();
  private readonly requests: Counter<'route' | 'backend' | 'outcome'>;
  private readonly rows: Counter<'route' | 'backend' | 'agreement'>;
  private readonly absDiff: Counter<'route' | 'backend'>;
  private readonly comparedAnswers: Counter<'route' | 'backend'>;
  private readonly duration: Histogram<'route' | 'backend'>;
  private readonly latencyDiff: Gauge<'route' | 'backend'>;

  constructor(registry: Registry) {
    this.requests = new Counter({ name: 'switchyard_shadow_requests_total', help: 'Shadow copies by route, shadow backend and outcome (a verdict, dropped at the concurrency cap, or skipped).', labelNames: ['route', 'backend', 'outcome'], registers: [registry] });
    this.rows = new Counter({ name: 'switchyard_shadow_compared_rows_total', help: 'Output rows compared with the primary, by whether the top class agreed.', labelNames: ['route', 'backend', 'agreement'], registers: [registry] });
    this.absDiff = new Counter({ name: 'switchyard_shadow_output_abs_difference_total', help: 'Sum over compared answers of the mean absolute difference of the outputs (divide by compared answers).', labelNames: ['route', 'backend'], registers: [registry] });
    // The divisor of absDiff, so a dashboard can show the mean absolute difference per compared answer.
    this.comparedAnswers = new Counter({ name: 'switchyard_shadow_compared_answers_total', help: 'Shadow answers whose outputs were compared with the primary\'s.', labelNames: ['route', 'backend'], registers: [registry] });
    this.duration = new Histogram({ name: 'switchyard_shadow_duration_seconds', help: 'Shadow answer time, seconds.', labelNames: ['route', 'backend'], buckets: DURATION_BUCKETS, registers: [registry] });
    this.latencyDiff = new Gauge({ name: 'switchyard_shadow_mean_latency_difference_seconds', help: 'Mean of (shadow − primary) answer time over answered shadows, seconds; negative: the shadow is faster.', labelNames: ['route', 'backend'], registers: [registry] });
  }

  figures(route: string, backend: string): ShadowFigures {
    let f = this.routes.get(route);
    if (f === undefined || f.backend !== backend) {
      f = {
        route, backend, sent: 0, dropped: 0, skipped: 0, verdicts: { success: 0, failure: 0, timeout: 0, rejected: 0, cancelled: 0 },
        comparedRows: 0, agreeingRows: 0, comparedAnswers: 0, absDiffSum: 0, latencyDiffMsSum: 0, latencyCount: 0,
      };
      this.routes.set(route, f);
    }
    return f;
  }

  dropped(f: ShadowFigures, reason: 'dropped' | 'skipped'): void {
    f[reason]++;
    this.requests.labels(f.route, f.backend, reason).inc();
  }

  answered(f: ShadowFigures, verdict: Verdict, shadowMs: number, primaryMs: number, comparison: PairComparison | undefined): void {
    f.sent++;
    f.verdicts[verdict]++;
    this.requests.labels(f.route, f.backend, verdict).inc();
    this.duration.labels(f.route, f.backend).observe(shadowMs / 1000);
    if (verdict === 'success') {
      f.latencyDiffMsSum += shadowMs - primaryMs;
      f.latencyCount++;
      this.latencyDiff.labels(f.route, f.backend).set(f.latencyDiffMsSum / f.latencyCount / 1000);
    }
    if (comparison === undefined) return;
    f.comparedRows += comparison.rows;
    f.agreeingRows += comparison.agreeing;
    f.comparedAnswers++;
    f.absDiffSum += comparison.meanAbsDiff;
    this.rows.labels(f.route, f.backend, 'agree').inc(comparison.agreeing);
    this.rows.labels(f.route, f.backend, 'disagree').inc(comparison.rows - comparison.agreeing);
    this.absDiff.labels(f.route, f.backend).inc(comparison.meanAbsDiff);
    this.comparedAnswers.labels(f.route, f.backend).inc();
  }

  /** Every route's figures with the ratios worked out. */
  report(): Record<string, unknown>[] {
    return [...this.routes.values()].map((f) => {
      const answered = f.sent;
      const errors = f.verdicts.failure + f.verdicts.timeout;
      return {
        ...f,
        errorRate: answered === 0 ? null : errors / answered,
        agreement: f.comparedRows === 0 ? null : f.agreeingRows / f.comparedRows,
        meanAbsDifference: f.comparedAnswers === 0 ? null : f.absDiffSum / f.comparedAnswers,
        meanLatencyDifferenceMs: f.latencyCount === 0 ? null : f.latencyDiffMsSum / f.latencyCount,
      };
    });
  }
}
