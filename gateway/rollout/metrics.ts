import { Counter, Gauge, type Registry } from 'prom-client';

/** The rollout controller's metrics, on the gateway's registry. Labels: route names and fixed words only. */
export class RolloutMetrics {
  /** Ratio 0-1, as Prometheus names ratios; rollout weights are percent everywhere else. */
  readonly events: Counter<'route' | 'event'>;
  readonly analyses: Counter<'route' | 'verdict'>;
  readonly weight: Gauge<'route'>;

  constructor(registry: Registry) {
    this.events = new Counter({
      name: 'switchyard_rollout_events_total', help: 'Rollout events (started, step, promoted, aborted, paused, resumed, failed_check, would_abort, golden_passed, blocked), by route.',
      labelNames: ['route', 'event'], registers: [registry],
    });
    this.analyses = new Counter({
      name: 'switchyard_rollout_analyses_total', help: 'Canary analysis intervals judged, by route and verdict (pass, fail, inconclusive).',
      labelNames: ['route', 'verdict'], registers: [registry],
    });
    this.weight = new Gauge({
      name: 'switchyard_rollout_canary_weight_ratio', help: 'Canary share of traffic the rollout set, 0 to 1 (a weight of 25 % is 0.25).', labelNames: ['route'], registers: [registry],
    });
  }
}
