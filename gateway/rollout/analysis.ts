import type { AnalysisConfig } from '../config/schema.js';
import type { IntervalStats } from './interval-stats.js';
import { emptyStats, errorCount, latencyQuantileMs, servedRequests } from './interval-stats.js';

export type AnalysisVerdict = 'pass' | 'fail' | 'inconclusive';

/** One threshold judged: the figure, the limit, and whether it held (undefined: not enough data). */
export interface AnalysisCheck {
  readonly name: 'errorRate' | 'p99Ms' | 'predictionShift' | 'disagreement';
  readonly value: number | null;
  readonly threshold: number;
  readonly passed: boolean | null;
  readonly note?: string;
}

/** The figures of one version over the interval, as the admin API shows them. */
export interface VersionFigures {
  readonly backend: string;
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number | null;
  readonly p99Ms: number | null;
  /** Share of rows per predicted top class, for classifier outputs. */
  readonly classShares: Readonly<Record<string, number>>;
  readonly meanOutput: number | null;
}

export interface AnalysisResult {
  readonly verdict: AnalysisVerdict;
  /** Why, in one sentence. */
  readonly reason: string;
  readonly checks: readonly AnalysisCheck[];
  readonly canary: VersionFigures;
  readonly stable: VersionFigures;
  /** Paired comparisons with stable (maxDisagreement): pairs compared and dropped. */
  readonly pairs: { readonly compared: number; readonly disagreeing: number; readonly dropped: number };
}

export function figuresOf(backend: string, stats: IntervalStats): VersionFigures {
  const requests = servedRequests(stats);
  const errors = errorCount(stats);
  const classRows = Object.values(stats.classes).reduce((a, b) => a + b, 0);
  const classShares = Object.fromEntries(Object.entries(stats.classes).map(([c, n]) => [c, n / classRows]));
  return {
    backend, requests, errors,
    errorRate: requests === 0 ? null : errors / requests,
    p99Ms: latencyQuantileMs(stats, 0.99) ?? null,
    classShares,
    meanOutput: stats.outputCount === 0 ? null : stats.outputSum / stats.outputCount,
  };
}

/**
 * Judges one interval of the canary against stable:
 * 1. Fewer than minRequests canary requests: inconclusive (never a pass).
 * 2. Each configured threshold is a check: error rate and p99 of the canary; prediction shift
 *    (class shares or mean output, canary against stable) when both served minRequests; the
 *    paired disagreement when at least minRequests pairs were compared. A check without enough
 *    data is inconclusive.
 * 3. Any check failed: fail. Else any inconclusive: inconclusive. Else pass.
 */
export function analyseInterval(
  config: AnalysisConfig, stableName: string, canaryName: string, byBackend: ReadonlyMap<string, IntervalStats>,
): AnalysisResult {
  const canaryStats = byBackend.get(canaryName) ?? emptyStats();
  const canary = figuresOf(canaryName, canaryStats);
  const stable = figuresOf(stableName, byBackend.get(stableName) ?? emptyStats());
  const pairs = { compared: canaryStats.pairs, disagreeing: canaryStats.disagreements, dropped: canaryStats.pairsDropped };
  if (canary.requests < config.minRequests) {
    const reason = `the canary served ${canary.requests} requests, fewer than minRequests (${config.minRequests})`;
    return { verdict: 'inconclusive', reason, checks: [], canary, stable, pairs };
  }
  const checks: AnalysisCheck[] = [];
  checks.push(limit('errorRate', canary.errorRate, config.maxErrorRate));
  if (config.maxP99Ms !== undefined) checks.push(limit('p99Ms', canary.p99Ms, config.maxP99Ms));
  if (config.maxPredictionShift !== undefined) checks.push(predictionShift(canary, stable, config.maxPredictionShift, config.minRequests));
  if (config.maxDisagreement !== undefined) {
    const enough = pairs.compared >= config.minRequests;
    checks.push(enough
      ? limit('disagreement', pairs.disagreeing / pairs.compared, config.maxDisagreement)
      : { name: 'disagreement', value: null, threshold: config.maxDisagreement, passed: null, note: `${pairs.compared} pairs compared, fewer than minRequests` });
  }
  const failed = checks.filter((c) => c.passed === false);
  if (failed.length > 0) {
    return { verdict: 'fail', reason: failed.map(describeFailure).join('; '), checks, canary, stable, pairs };
  }
  const unsure = checks.filter((c) => c.passed === null);
  if (unsure.length > 0) {
    return { verdict: 'inconclusive', reason: unsure.map((c) => `${c.name}: ${c.note ?? 'no data'}`).join('; '), checks, canary, stable, pairs };
  }
  return { verdict: 'pass', reason: 'every check held', checks, canary, stable, pairs };
}

function limit(name: AnalysisCheck['name'], value: number | null, threshold: number): AnalysisCheck {
  return value === null ? { name, value, threshold, passed: null, note: 'no data' } : { name, value, threshold, passed: value <= threshold };
}

/** Largest difference in any class's share, else the difference of the mean outputs. */
function predictionShift(canary: VersionFigures, stable: VersionFigures, threshold: number, minRequests: number): AnalysisCheck {
  if (stable.requests < minRequests) {
    return { name: 'predictionShift', value: null, threshold, passed: null, note: `stable served ${stable.requests} requests, fewer than minRequests` };
  }
  const classes = new Set([...Object.keys(canary.classShares), ...Object.keys(stable.classShares)]);
  if (classes.size > 0) {
    let shift = 0;
    for (const c of classes) shift = Math.max(shift, Math.abs((canary.classShares[c] ?? 0) - (stable.classShares[c] ?? 0)));
    return limit('predictionShift', shift, threshold);
  }
  if (canary.meanOutput !== null && stable.meanOutput !== null) return limit('predictionShift', Math.abs(canary.meanOutput - stable.meanOutput), threshold);
  return { name: 'predictionShift', value: null, threshold, passed: null, note: 'no v2 inference outputs were read' };
}

function describeFailure(check: AnalysisCheck): string {
  const value = check.value === null ? 'n/a' : round(check.value);
  return `${check.name} ${value} above ${check.threshold}`;
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
