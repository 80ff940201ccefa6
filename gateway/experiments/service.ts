import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../../protocol/errors.js';
import type { ExperimentConfig } from '../config/schema.js';
import type { CompiledGateway, CompiledRoute } from '../routing/compile.js';
import type { ExposureRecorder } from './exposure.js';
import type { HistoryPoint, ResultsHistory } from './history/history.js';
import type { ExperimentMetrics } from './metrics.js';
import { validateOutcomePost } from './outcomes.js';
import { computeResults } from './statistics/results.js';
import { primaryMetricName, roleOf } from './statistics/roles.js';
import type { ExperimentDefinition, ExperimentResults } from './statistics/types.js';
import type { ExperimentStore, ExportedUnit, RecordResult } from './store/store.js';

export const EXPERIMENT_NOT_FOUND = 'EXPERIMENT_NOT_FOUND';

/** One experiment as `GET /v1/experiments` lists it. */
export interface ExperimentListing {
  readonly id: string;
  readonly route: string;
  readonly unit: string;
  readonly stopped: boolean;
  readonly sequential: boolean;
  readonly primaryMetric: string | null;
  readonly variants: readonly { readonly name: string; readonly backend: string; readonly weight: number; readonly exposures: number }[];
  readonly metrics: readonly { readonly name: string; readonly kind: string; readonly goal: string; readonly role: string }[];
}

export type ExperimentReport = ExperimentResults & { readonly route: string; readonly stopped: boolean };

export interface ExperimentExport {
  readonly experimentId: string;
  readonly route: string;
  readonly exportedAt: string;
  readonly stopped: boolean;
  readonly config: ExperimentConfig;
  /** The results API's figures at the time of the export, so the file says what the page said. */
  readonly results: ExperimentReport;
  readonly units: readonly ExportedUnit[];
}

interface Found {
  readonly route: CompiledRoute;
  readonly experiment: ExperimentConfig;
}

export interface ExperimentServiceDeps {
  readonly store: ExperimentStore;
  /** The config in effect (experiments are read from its routes on every call). */
  readonly current: () => CompiledGateway;
  readonly exposures: ExposureRecorder;
  readonly metrics: ExperimentMetrics;
  /** The recorded cumulative results (history/sampler.ts records them). */
  readonly history: ResultsHistory;
  /** Epoch ms. */
  readonly now: () => number;
}

/** `GET /v1/experiments/{id}/history`: the cumulative results as they stood, oldest first. */
export interface ExperimentHistory {
  readonly experimentId: string;
  /** The experiment's historyInterval, ms: one point per interval while it runs. */
  readonly intervalMs: number;
  readonly points: readonly HistoryPoint[];
}

/** What an outcome post answers: the store's result and the key a retry must carry. */
export type RecordedOutcomes = RecordResult & { readonly idempotencyKey: string };

/**
 * What the experiments API does, independent of HTTP: experiments come from the config in
 * effect, data from the store, and a unit's variant from the route's live target, the same
 * split that routed it.
 */
export class ExperimentService {
  constructor(private readonly deps: ExperimentServiceDeps) {}

  async list(): Promise<ExperimentListing[]> {
    return Promise.all(this.all().map(async ({ route, experiment }) => {
      const [summary, stopped] = await Promise.all([this.deps.store.summary(experiment.id), this.deps.store.isStopped(experiment.id)]);
      const weights = liveWeights(route, experiment);
      const primary = primaryMetricName(experiment.metrics, experiment.primaryMetric);
      return {
        id: experiment.id,
        route: route.name,
        unit: `${experiment.unit.source}:${experiment.unit.name}`,
        stopped,
        sequential: experiment.sequential,
        primaryMetric: primary ?? null,
        variants: experiment.variants.map((v) => ({
          name: v.name, backend: v.backend, weight: weights[v.name] ?? 0,
          exposures: Object.hasOwn(summary.variants, v.name) ? summary.variants[v.name]!.exposures : 0,
        })),
        metrics: experiment.metrics.map((m) => ({ name: m.name, kind: m.kind, goal: m.goal, role: roleOf(m, primary) })),
      };
    }));
  }

  async results(id: string): Promise<ExperimentReport> {
    const { route, experiment } = this.find(id);
    // A capped metric needs every unit's total (capping.ts): one pass over the units per call.
    const capped = experiment.metrics.some((m) => m.cap !== undefined);
    const [summary, stopped, units] = await Promise.all([
      this.deps.store.summary(id), this.deps.store.isStopped(id), capped ? this.deps.store.exportUnits(id) : undefined,
    ]);
    const weights = liveWeights(route, experiment);
    const definition: ExperimentDefinition = {
      id, metrics: experiment.metrics, variants: experiment.variants.map((v) => ({ name: v.name, weight: weights[v.name] ?? 0 })),
    };
    const results = computeResults(definition, summary, {
      alpha: experiment.alpha, power: experiment.power, mde: experiment.minimumDetectableEffect,
      sequential: experiment.sequential, primaryMetric: experiment.primaryMetric, correction: experiment.multipleComparisons, units,
    });
    const view = route.target.view();
    const warnings = view.kind === 'experiment' && view.overridden
      ? [...results.warnings, 'The variant weights were changed through the admin API; exposures before and after the change follow different splits, so the sample-ratio check compares against the weights in effect now. '
        + 'Units the new split moves to another arm are counted as exposed to more than one arm and left out of the analysis.']
      : results.warnings;
    return { ...results, warnings, route: route.name, stopped };
  }

  /**
   * Validates a post (400/404 naming the problem), assigns variants, stores all or nothing.
   * Every post is stored under an idempotency key, the client's or one made here, and the
   * answer (a 503 too) carries it: a retry with that key is counted exactly once, even when
   * the attempt that answered 503 reaches Redis later.
   */
  async recordOutcomes(id: string, body: unknown): Promise<RecordedOutcomes> {
    const { route, experiment } = this.find(id);
    const variantOf = route.target.variantOf;
    if (variantOf === undefined) throw new Error(`route '${route.name}' has an experiment but its target assigns no variants`);
    const post = validateOutcomePost(body, { id, metrics: experiment.metrics, assign: (unit) => variantOf(unit) });
    const idempotencyKey = post.idempotencyKey ?? randomUUID();
    try {
      const result = await this.deps.store.recordOutcomes(id, post.outcomes, idempotencyKey);
      this.deps.metrics.outcomesRecorded(id, result.accepted);
      return { ...result, idempotencyKey };
    } catch (err) {
      if (err instanceof SwitchyardError && err.status === 503) this.deps.metrics.outcomesFailed(id);
      throw err;
    }
  }

  /** No more exposure counting; outcomes of units already in the experiment are still accepted. */
  async stop(id: string): Promise<void> {
    this.find(id);
    await this.deps.store.stop(id);
  }

  async export(id: string): Promise<ExperimentExport> {
    const { route, experiment } = this.find(id);
    const [units, stopped, results] = await Promise.all([this.deps.store.exportUnits(id), this.deps.store.isStopped(id), this.results(id)]);
    return { experimentId: id, route: route.name, exportedAt: new Date(this.deps.now()).toISOString(), stopped, config: experiment, results, units };
  }

  /** Forgets every exposure, outcome, idempotency key, the stop flag and the recorded history. */
  async reset(id: string): Promise<void> {
    this.find(id);
    await this.deps.store.reset(id);
    await this.deps.history.reset(id);
    this.deps.exposures.forget(id);
  }

  async history(id: string): Promise<ExperimentHistory> {
    const { experiment } = this.find(id);
    return { experimentId: id, intervalMs: experiment.historyInterval, points: await this.deps.history.read(id) };
  }

  /** What the history sampler samples: every experiment of the config in effect, with its interval. */
  sampled(): { id: string; intervalMs: number }[] {
    return this.all().map(({ experiment }) => ({ id: experiment.id, intervalMs: experiment.historyInterval }));
  }

  /** The results of a running experiment; null once it is stopped or gone from the config. */
  async resultsIfRunning(id: string): Promise<ExperimentReport | null> {
    if (!this.all().some((f) => f.experiment.id === id) || await this.deps.store.isStopped(id)) return null;
    return this.results(id);
  }

  private all(): Found[] {
    return this.deps.current().routes.flatMap((route) => (route.config.experiment === undefined ? [] : [{ route, experiment: route.config.experiment }]));
  }

  private find(id: string): Found {
    const found = this.all().find((f) => f.experiment.id === id);
    if (found !== undefined) return found;
    const known = this.all().map((f) => `'${f.experiment.id}'`).join(', ') || 'none';
    throw new SwitchyardError(EXPERIMENT_NOT_FOUND, 404, `no experiment '${id}' in the config in effect; experiments: ${known}`);
  }
}

function liveWeights(route: CompiledRoute, experiment: ExperimentConfig): Record<string, number> {
  const view = route.target.view();
  return view.kind === 'experiment' ? view.weights : Object.fromEntries(experiment.variants.map((v) => [v.name, v.weight]));
}
