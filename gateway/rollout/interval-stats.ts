import type { Verdict } from '../upstream/classify.js';

/**
 * What one backend of a route did over one analysis interval, in a shape that adds up: every
 * field is a count or a sum, and latencies sit in fixed buckets, so the stats of several
 * replicas merge by addition (Redis keeps them per replica and per interval).
 */
export interface IntervalStats {
  /** Requests by verdict (gateway/upstream/classify.ts, the one classifier). */
  readonly verdicts: Record<Verdict, number>;
  /** Latency histogram: bucket index (see latencyBucket) → requests. */
  readonly latency: Record<string, number>;
  /** Predicted top class → rows, for classifier outputs ([n, k > 1]). */
  readonly classes: Record<string, number>;
  /** Rows whose outputs were read (classifier or not). */
  predictedRows: number;
  /** Sum and count of one-value outputs ([n] or [n, 1]), for the mean output. */
  outputSum: number;
  outputCount: number;
  /** Paired comparisons with stable (maxDisagreement): pairs compared, pairs whose top class differed, pairs dropped. */
  pairs: number;
  disagreements: number;
  pairsDropped: number;
}

export function emptyStats(): IntervalStats {
  return {
    verdicts: { success: 0, failure: 0, timeout: 0, rejected: 0, cancelled: 0 },
    latency: {}, classes: {}, predictedRows: 0, outputSum: 0, outputCount: 0, pairs: 0, disagreements: 0, pairsDropped: 0,
  };
}

/** Adds b into a (a is changed and returned). */
export function mergeStats(a: IntervalStats, b: IntervalStats): IntervalStats {
  for (const [k, v] of Object.entries(b.verdicts) as [Verdict, number][]) a.verdicts[k] += v;
  for (const [k, v] of Object.entries(b.latency)) a.latency[k] = (a.latency[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.classes)) a.classes[k] = (a.classes[k] ?? 0) + v;
  a.predictedRows += b.predictedRows;
  a.outputSum += b.outputSum;
  a.outputCount += b.outputCount;
  a.pairs += b.pairs;
  a.disagreements += b.disagreements;
  a.pairsDropped += b.pairsDropped;
  return a;
}

/**
 * Latency buckets grow by 5 % from 0.1 ms: bucket i holds (0.1·1.05^(i-1), 0.1·1.05^i] ms, so
 * a p99 read from them is at most 5 % high. 0 holds everything up to 0.1 ms; about 300
 * buckets reach 10 minutes, and only the ones used are stored.
 */
const LATENCY_BASE_MS = 0.1;
const LATENCY_GROWTH = 1.05;
const LOG_GROWTH = Math.log(LATENCY_GROWTH);

export function latencyBucket(ms: number): number {
  if (!(ms > LATENCY_BASE_MS)) return 0;
  return Math.ceil(Math.log(ms / LATENCY_BASE_MS) / LOG_GROWTH - 1e-9);
}

/** Upper bound of a latency bucket, ms. */
export function bucketUpperMs(bucket: number): number {
  return LATENCY_BASE_MS * LATENCY_GROWTH ** bucket;
}

/** Total requests that reached a verdict on the backend (cancelled ones are held against no one). */
export function servedRequests(stats: IntervalStats): number {
  const v = stats.verdicts;
  return v.success + v.failure + v.timeout + v.rejected;
}

/** Errors: failures and timeouts. Rejections (shed load, 429/503) are not the version's fault. */
export function errorCount(stats: IntervalStats): number {
  return stats.verdicts.failure + stats.verdicts.timeout;
}

/** A latency quantile (0..1) from the buckets, ms; undefined without samples. */
export function latencyQuantileMs(stats: IntervalStats, q: number): number | undefined {
  const buckets = Object.entries(stats.latency).map(([k, n]) => [Number(k), n] as const).sort((x, y) => x[0] - y[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return undefined;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= rank) return bucketUpperMs(bucket);
  }
  return bucketUpperMs(buckets[buckets.length - 1]![0]);
}
