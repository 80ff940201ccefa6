import type { MetricKind } from '../thresholds.js';
import { emit } from './context.js';

/** k6/metrics' custom metrics: add() sends one sample of the metric's kind to the runner. */
class Metric {
  constructor(readonly name: string, private readonly kind: MetricKind) {}

  add(value: number | boolean, tags: Record<string, string> = {}): void {
    emit({ metric: this.name, kind: this.kind, value: Number(value), tags });
  }
}

export class Counter extends Metric {
  constructor(name: string) {
    super(name, 'counter');
  }
}

export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate');
  }
}

export class Trend extends Metric {
  constructor(name: string) {
    super(name, 'trend');
  }
}

export class Gauge extends Metric {
  constructor(name: string) {
    super(name, 'gauge');
  }
}
