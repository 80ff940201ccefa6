import type { Metric, Registry } from 'prom-client';

/**
 * A counter, a gauge and a histogram for the request path, exported through a prom-client registry
 * like its own metrics (same text, same `get()` shape), but bound to their label values once:
 * prom-client hashes the label object on every inc/observe, which cost the gateway about 5 %
 * of its CPU per request. `labels(...)` is for load time; what it returns is for the hot path.
 * As with prom-client, a series is exported once it has been updated, not when it is bound.
 */
export interface CounterSeries {
  inc(): void;
}

export interface GaugeSeries {
  set(value: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly sharedLabels?: Record<string, string>;
  readonly value: number;
  readonly metricName?: string;
}

abstract class PreboundMetric<S> {
  protected readonly series = new Map<string, { readonly labels: Record<string, string>; readonly data: S }>();

  constructor(registry: Registry, readonly name: string, readonly help: string, private readonly labelNames: readonly string[]) {
    registry.registerMetric(this as unknown as Metric);
  }

  protected bind(values: readonly string[], create: () => S): S {
    if (values.length !== this.labelNames.length) throw new Error(`${this.name} takes ${this.labelNames.length} label values, got ${values.length}`);
    const key = values.join('\u0000');
    let found = this.series.get(key);
    if (found === undefined) {
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, values[i]!]));
      found = { labels, data: create() };
      this.series.set(key, found);
    }
    return found.data;
  }

  abstract get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }>;
}

class Count implements CounterSeries {
  value = 0;
  inc(): void {
    this.value++;
  }
}

export class PreboundCounter extends PreboundMetric<Count> {
  readonly type = 'counter';

  labels(...values: string[]): CounterSeries {
    return this.bind(values, () => new Count());
  }

  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }> {
    const values = [...this.series.values()].filter((s) => s.data.value > 0).map((s) => ({ labels: s.labels, value: s.data.value }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' });
  }

  reset(): void {
    for (const s of this.series.values()) s.data.value = 0;
  }
}

class Level implements GaugeSeries {
  value = 0;
  touched = false;
  set(value: number): void {
    this.value = value;
    this.touched = true;
  }
}

export class PreboundGauge extends PreboundMetric<Level> {
  readonly type = 'gauge';

  labels(...values: string[]): GaugeSeries {
    return this.bind(values, () => new Level());
  }

  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }> {
    const values = [...this.series.values()].filter((s) => s.data.touched).map((s) => ({ labels: s.labels, value: s.data.value }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' });
  }

  reset(): void {
    for (const s of this.series.values()) {
      s.data.value = 0;
      s.data.touched = false;
    }
  }
}

class Buckets implements HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]!++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

export class PreboundHistogram extends PreboundMetric<Buckets> {
  readonly type = 'histogram';

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[], private readonly bounds: readonly number[]) {
    super(registry, name, help, labelNames);
  }

  labels(...values: string[]): HistogramSeries {
    return this.bind(values, () => new Buckets(this.bounds));
  }

  /** prom-client's layout: cumulative buckets with `le` first, then +Inf, _sum and _count. */
  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, data } of this.series.values()) {
      if (data.count === 0) continue;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += data.counts[i]!;
        values.push({ labels: { le: this.bounds[i]! }, sharedLabels: labels, value: cumulative, metricName: bucket });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: data.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: labels, value: data.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: data.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' });
  }

  reset(): void {
    for (const { data } of this.series.values()) {
      data.counts.fill(0);
      data.sum = 0;
      data.count = 0;
    }
  }
}
