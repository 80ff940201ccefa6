import type { Interval } from '../statistics/describe.js';
import type { ExperimentResults } from '../statistics/types.js';

/** One comparison as it stood at a point in time: what the lift-over-time chart draws. */
export interface HistoryComparison {
  readonly variant: string;
  readonly difference: { readonly estimate: number | null; readonly ci: Interval | null };
  readonly relativeLift: { readonly estimate: number; readonly ci: Interval | null } | null;
  readonly adjustedPValue: number | null;
  readonly chanceToBeatControl: number | null;
  readonly verdict: 'better' | 'worse' | 'inconclusive';
}

/** The cumulative results of an experiment at one time (everything collected up to then). */
export interface HistoryPoint {
  /** Epoch ms the results were computed. */
  readonly at: number;
  /** Units analysed per variant (joined on exposure) at that time. */
  readonly analysedUnits: Readonly<Record<string, number>>;
  readonly metrics: readonly { readonly name: string; readonly comparisons: readonly HistoryComparison[] }[];
}

/**
 * The recorded history of each experiment's cumulative results, oldest first. One point per
 * slot: a slot is `slotStart` (epoch ms, a multiple of the sampling interval), so replicas
 * sampling the same slot record it once, whichever comes first.
 */
export interface ResultsHistory {
  /** Records `point` for its slot unless one is there; keeps the newest `maxPoints`. True when recorded. */
  append(experimentId: string, slotStart: number, point: HistoryPoint, maxPoints: number): Promise<boolean>;
  read(experimentId: string): Promise<HistoryPoint[]>;
  reset(experimentId: string): Promise<void>;
  close(): Promise<void>;
}

/** The figures of `results` the chart needs, at time `at`. */
export function historyPointOf(results: ExperimentResults, at: number): HistoryPoint {
  return {
    at,
    analysedUnits: results.exposureJoin.analysedUnits,
    metrics: results.metrics.map((m) => ({
      name: m.name,
      comparisons: m.comparisons.map((c) => ({
        variant: c.variant, difference: c.difference, relativeLift: c.relativeLift,
        adjustedPValue: c.adjustedPValue, chanceToBeatControl: c.chanceToBeatControl, verdict: c.verdict,
      })),
    })),
  };
}
