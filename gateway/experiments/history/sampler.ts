import type { Logger } from '../../../observability/logger.js';
import { EXPERIMENT_HISTORY_MAX_POINTS } from '../../config/defaults.js';
import type { ExperimentReport } from '../service.js';
import { historyPointOf, type ResultsHistory } from './history.js';

/** How often the sampler looks whether an experiment's slot has turned, ms. */
export const HISTORY_TICK_MS = 1000;

export interface SamplerDeps {
  readonly history: ResultsHistory;
  /** The running experiments of the config in effect, with their sampling interval in ms. */
  readonly experiments: () => readonly { readonly id: string; readonly intervalMs: number }[];
  /** The results API's figures (null: the experiment is stopped or gone, nothing to record). */
  readonly results: (id: string) => Promise<ExperimentReport | null>;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Records each running experiment's cumulative results once per `historyInterval`, for the
 * lift over time:
 *  1. every tick, an experiment whose current slot (now rounded down to a multiple of its
 *     interval) this replica has not recorded yet is due;
 *  2. its results are computed as the results API computes them, and appended for that slot;
 *     with Redis, the first replica to append a slot wins and the others' appends are no-ops;
 *  3. a stopped experiment, or one with no analysed units yet, records nothing for that slot
 *     (nothing to draw) and is looked at again in the next slot; a failed look is tried again
 *     on the next tick, in the same slot.
 * The store keeps the newest EXPERIMENT_HISTORY_MAX_POINTS points per experiment.
 */
export class HistorySampler {
  private readonly recorded = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** Looks run one after another, never two at once. */
  private queue: Promise<void> = Promise.resolve();
  private busy = false;
  private lastError = '';

  constructor(private readonly deps: SamplerDeps) {}

  /** Looks every tickMs (0: never; the caller drives tick()). */
  start(tickMs = HISTORY_TICK_MS): void {
    if (tickMs <= 0) return;
    // A tick that finds the previous look still running is skipped: a slow store must not pile them up.
    this.timer = setInterval(() => { if (!this.busy) void this.tick(); }, tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.queue;
  }

  /** One look at every experiment; `at` (epoch ms, default now) lets tests choose the slot. Never rejects. */
  tick(at: number = this.deps.now()): Promise<void> {
    const look = this.queue.then(() => this.sampleAll(at)).catch((err: unknown) => this.deps.log.warn({ err }, 'the experiment history sampler failed a look'));
    this.queue = look;
    return look;
  }

  private async sampleAll(at: number): Promise<void> {
    this.busy = true;
    try {
      await this.sampleEach(at);
    } finally {
      this.busy = false;
    }
  }

  private async sampleEach(at: number): Promise<void> {
    for (const { id, intervalMs } of this.deps.experiments()) {
      const slot = Math.floor(at / intervalMs) * intervalMs;
      if (this.recorded.get(id) === slot) continue;
      try {
        const results = await this.deps.results(id);
        const units = results === null ? 0 : Object.values(results.exposureJoin.analysedUnits).reduce((a, b) => a + b, 0);
        if (results !== null && units > 0) await this.deps.history.append(id, slot, historyPointOf(results, at), EXPERIMENT_HISTORY_MAX_POINTS);
        this.recorded.set(id, slot);
      } catch (err) {
        // Said once per distinct error: a Redis outage would otherwise log every second.
        const message = err instanceof Error ? err.message : String(err);
        if (message !== this.lastError) this.deps.log.warn({ err, experiment: id }, 'could not record the experiment results history; trying again next tick');
        this.lastError = message;
      }
    }
  }
}
