import { Counter, type Registry } from 'prom-client';

/**
 * Experiment counters, on the gateway's registry. Labels are experiment ids and variant names
 * from the config, never units.
 */
export class ExperimentMetrics {
  private readonly exposures: Counter<'experiment' | 'variant'>;
  private readonly dropped: Counter<'experiment' | 'operation'>;
  private readonly outcomes: Counter<'experiment'>;

  constructor(registry: Registry) {
    this.exposures = new Counter({
      name: 'switchyard_experiment_exposures_total', help: 'Units counted as exposed by this replica (each unit once per experiment), by experiment and variant.',
      labelNames: ['experiment', 'variant'] as const, registers: [registry],
    });
    this.dropped = new Counter({
      name: 'switchyard_experiment_store_failures_total', help: 'Experiment store calls that failed (store unavailable), by experiment and operation; exposures are dropped, outcome posts answered 503.',
      labelNames: ['experiment', 'operation'] as const, registers: [registry],
    });
    this.outcomes = new Counter({
      name: 'switchyard_experiment_outcomes_total', help: 'Outcomes recorded through this replica (duplicates by idempotency key excluded), by experiment.',
      labelNames: ['experiment'] as const, registers: [registry],
    });
  }

  exposureCounted(experiment: string, variant: string): void {
    this.exposures.labels(experiment, variant).inc();
  }

  exposureDropped(experiment: string): void {
    this.dropped.labels(experiment, 'exposure').inc();
  }

  outcomesRecorded(experiment: string, count: number): void {
    this.outcomes.labels(experiment).inc(count);
  }

  outcomesFailed(experiment: string): void {
    this.dropped.labels(experiment, 'outcomes').inc();
  }
}
