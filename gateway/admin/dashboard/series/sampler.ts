import type { Registry } from 'prom-client';
import type { Logger } from '../../../../observability/logger.js';
import type { CompiledRoute } from '../../../routing/compile.js';
import type { BackendTotals } from '../lib/prometheus.js';
import { backendTotals, parsePrometheus } from '../lib/prometheus.js';
import type { RouteReading, SeriesRecorder } from './recorder.js';

export interface SeriesSamplerDeps {
  readonly recorder: SeriesRecorder;
  /** The gateway's registry: the same request counter and duration histogram as /metrics. */
  readonly registry: Registry;
  /** The routes in effect now (after reloads). */
  readonly routes: () => readonly CompiledRoute[];
  /** Epoch ms. */
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Samples the gateway's own counters every `recorder.intervalMs` into the recorder: nothing on
 * the request path changes, and the charts read what /metrics reads (no Prometheus needed).
 */
export class SeriesSampler {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SeriesSamplerDeps) {}

  start(): void {
    if (this.timer !== undefined) return;
    // The first sample is the baseline the next one is measured against.
    void this.sample().catch((err: unknown) => this.failed(err));
    this.timer = setInterval(() => void this.sample().catch((err: unknown) => this.failed(err)), this.deps.recorder.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sample now. */
  async sample(): Promise<void> {
    const totals = backendTotals(parsePrometheus(await this.deps.registry.metrics()));
    this.deps.recorder.record(this.deps.now(), readRoutes(this.deps.routes(), totals));
  }

  private failed(err: unknown): void {
    this.deps.log.warn({ err }, 'the dashboard could not sample the route counters; the charts have a gap');
  }
}

/** Every canary and blue-green route's sides, weights and counters. */
export function readRoutes(routes: readonly CompiledRoute[], totals: readonly BackendTotals[]): RouteReading[] {
  const find = (route: string, backend: string) => totals.find((t) => t.route === route && t.backend === backend);
  const readings: RouteReading[] = [];
  for (const route of routes) {
    const view = route.target.view();
    if (view.kind === 'canary') {
      readings.push({ route: route.name, strategy: 'canary', sides: [
        { side: 'stable', backend: view.stable, weight: view.weights.stable, totals: find(route.name, view.stable) },
        { side: 'canary', backend: view.canary, weight: view.weights.canary, totals: find(route.name, view.canary) },
      ] });
    } else if (view.kind === 'blueGreen') {
      readings.push({ route: route.name, strategy: 'blueGreen', sides: [
        { side: 'active', backend: view.active, weight: 100, totals: find(route.name, view.active) },
        { side: 'preview', backend: view.preview, weight: 0, totals: find(route.name, view.preview) },
      ] });
    }
  }
  return readings;
}
