import type { Verdict } from '../upstream/classify.js';
import type { IntervalStats } from './interval-stats.js';
import { emptyStats, latencyBucket } from './interval-stats.js';
import type { PairComparison, Prediction } from './prediction.js';

/**
 * This replica's measurements per route and backend since the last `take`: the request path
 * records into it (cheap: counters and one bucket), the rollout controller takes an interval's
 * worth at each interval's end. With a shared store, each replica publishes what it took and
 * the analysis merges them.
 */
export class IntervalMeter {
  private readonly routes = new Map<string, Map<string, IntervalStats>>();
  /** Routes whose rollout is in its shadow phase (set by the controller every tick): stable's requests are copied to the canary. */
  readonly shadowing = new Set<string>();

  private stats(route: string, backend: string): IntervalStats {
    let byBackend = this.routes.get(route);
    if (byBackend === undefined) this.routes.set(route, (byBackend = new Map()));
    let stats = byBackend.get(backend);
    if (stats === undefined) byBackend.set(backend, (stats = emptyStats()));
    return stats;
  }

  record(route: string, backend: string, verdict: Verdict, ms: number): void {
    const stats = this.stats(route, backend);
    stats.verdicts[verdict]++;
    if (verdict === 'cancelled') return;
    const bucket = latencyBucket(ms);
    stats.latency[bucket] = (stats.latency[bucket] ?? 0) + 1;
  }

  recordPrediction(route: string, backend: string, prediction: Prediction): void {
    const stats = this.stats(route, backend);
    if (prediction.classes !== undefined) {
      for (const c of prediction.classes) stats.classes[c] = (stats.classes[c] ?? 0) + 1;
      stats.predictedRows += prediction.classes.length;
      return;
    }
    for (const v of prediction.values) stats.outputSum += v;
    stats.outputCount += prediction.values.length;
    stats.predictedRows += prediction.values.length;
  }

  /** A canary answer compared with stable's answer to the same input; undefined: the copy was dropped or failed. */
  recordPair(route: string, backend: string, comparison: PairComparison | undefined): void {
    const stats = this.stats(route, backend);
    if (comparison === undefined) {
      stats.pairsDropped++;
      return;
    }
    stats.pairs += comparison.rows;
    stats.disagreements += comparison.rows - comparison.agreeing;
  }

  /** The route's stats per backend since the last take, and a fresh start. */
  take(route: string): Map<string, IntervalStats> {
    const taken = this.routes.get(route) ?? new Map<string, IntervalStats>();
    this.routes.delete(route);
    return taken;
  }
}
