import { addUnit, EMPTY_MOMENTS, toMetricMoments, type RunningMoments } from '../store/moments.js';
import { productKey, type ExperimentSummary, type ExportedUnit, type VariantSummary } from '../store/store.js';
import type { CappingReport, ExperimentDefinition, MetricDefinition } from './types.js';

/**
 * Winsorization at results time. A cap applies to each unit's total (the sum of its outcomes),
 * so a percentile cap needs every analysed unit's total: the stores keep those (the export), and
 * this pass reads them once per results call, O(units). The capped moments are then rebuilt per
 * arm with the same Welford steps the stores use (addUnit), and so are the products of the
 * capped metric with every other metric (CUPED on a capped metric reads them).
 *
 * The percentile is R's default quantile (type 7: linear between order statistics) of the
 * totals of analysed units that have an outcome for the metric, pooled across all arms; units
 * counted as 0 by `missing: zero` are not in the pool (with many of them a 99th percentile of
 * the zeros would cap every spender).
 */
export interface CappedSummary {
  readonly summary: ExperimentSummary;
  readonly capping: Readonly<Record<string, CappingReport>>;
}

export function capSummary(definition: ExperimentDefinition, summary: ExperimentSummary, units: readonly ExportedUnit[] | undefined): CappedSummary {
  const capped = definition.metrics.filter((m) => m.cap !== undefined);
  if (capped.length === 0) return { summary, capping: {} };
  // Uncapped figures under a capped metric's name would be read as capped: a caller's mistake, said loudly.
  if (units === undefined) throw new Error(`metric '${capped[0]!.name}' is capped: computeResults needs the units' totals (options.units)`);
  const analysed = units.filter((u) => u.exposed && !u.multiArm);
  const variants: Record<string, VariantSummary> = { ...summary.variants };
  const capping: Record<string, CappingReport> = {};
  for (const metric of capped) {
    const values = analysed.flatMap((u) => (Object.hasOwn(u.metrics, metric.name) ? [u.metrics[metric.name]!] : []));
    const cap = capOf(metric, values);
    const cappedUnits: Record<string, number> = Object.fromEntries(definition.variants.map((v) => [v.name, 0]));
    const moments = new Map<string, RunningMoments>();
    const products = new Map<string, Map<string, number>>();
    for (const u of analysed) {
      if (!Object.hasOwn(u.metrics, metric.name)) continue;
      const raw = u.metrics[metric.name]!;
      const value = cap !== null && raw > cap ? cap : raw;
      if (value !== raw) cappedUnits[u.variant] = (cappedUnits[u.variant] ?? 0) + 1;
      moments.set(u.variant, addUnit(moments.get(u.variant) ?? EMPTY_MOMENTS, value));
      const own = products.get(u.variant) ?? new Map<string, number>();
      products.set(u.variant, own);
      for (const [other, total] of Object.entries(u.metrics)) {
        if (other === metric.name || value * total === 0) continue;
        const key = productKey(metric.name, other);
        own.set(key, (own.get(key) ?? 0) + value * total);
      }
    }
    for (const [name, variant] of Object.entries(variants)) {
      variants[name] = withCappedMetric(variant, metric.name, moments.get(name), products.get(name));
    }
    capping[metric.name] = {
      method: 'value' in metric.cap! ? 'value' : 'percentile',
      percentile: 'percentile' in metric.cap! ? metric.cap.percentile : null,
      cap,
      cappedUnits,
    };
  }
  return { summary: { ...summary, variants }, capping };
}

/** The fixed cap, or the percentile of the pooled totals; null with no totals to take one from. */
function capOf(metric: MetricDefinition, values: readonly number[]): number | null {
  const cap = metric.cap!;
  if ('value' in cap) return cap.value;
  return values.length === 0 ? null : quantileType7([...values].sort((a, b) => a - b), cap.percentile);
}

/**
 * R's quantile(x, p, type = 7): h = (N − 1)p, linear between the order statistics around h,
 * written (1 − f)·x_lo + f·x_hi as R's own code does, so the cap is R's to the last bit.
 */
export function quantileType7(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const low = sorted[lo]!;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  const f = h - lo;
  return f === 0 || high === low ? low : (1 - f) * low + f * high;
}

/** The variant's summary with the metric's moments and products replaced by the capped ones. */
function withCappedMetric(variant: VariantSummary, metric: string, moments: RunningMoments | undefined, products: ReadonlyMap<string, number> | undefined): VariantSummary {
  const metrics = Object.fromEntries(Object.entries(variant.metrics).filter(([name]) => name !== metric));
  if (moments !== undefined) metrics[metric] = toMetricMoments(moments);
  const others = Object.entries(variant.products ?? {}).filter(([key]) => !key.split(':').includes(metric));
  const all = [...others, ...(products ?? new Map<string, number>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const { products: _replaced, ...rest } = variant;
  return all.length > 0 ? { ...rest, metrics, products: Object.fromEntries(all) } : { ...rest, metrics };
}
