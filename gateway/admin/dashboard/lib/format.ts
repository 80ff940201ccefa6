/**
 * How the dashboard writes numbers. Pure and free of Node imports: the page imports the
 * compiled file, and the browser test formats the API's figures with it to compare.
 */

export const NONE = '–';

/** A fraction as a percentage with two decimals: 0.0123 → "1.23 %". */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return NONE;
  return `${(fraction * 100).toFixed(2)} %`;
}

/** Four significant digits, no exponent below a million: 0.012345 → "0.01235", 1234.5 → "1235". */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  if (Math.abs(value) >= 1000) return Math.round(value).toString();
  return Number(value.toPrecision(4)).toString();
}

/** Milliseconds: "12.5 ms". */
export function formatMs(ms: number | null | undefined): string {
  const text = formatNumber(ms);
  return text === NONE ? NONE : `${text} ms`;
}

/** A p-value: four decimals, "< 0.0001" below that. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return NONE;
  return p < 0.0001 ? '< 0.0001' : p.toFixed(4);
}

/** An interval, each end written by `format`: "[0.1, 0.2]". */
export function formatInterval(ci: readonly [number, number] | null | undefined, format: (value: number) => string = formatNumber): string {
  if (ci === null || ci === undefined) return NONE;
  return `[${format(ci[0])}, ${format(ci[1])}]`;
}

/** An experiment metric's value: a rate for proportion metrics (0.25 → "25.00 %"), else a number. */
export function formatMetricValue(kind: 'proportion' | 'mean', value: number | null | undefined): string {
  return kind === 'proportion' ? formatPercent(value) : formatNumber(value);
}

/** Requests per second, one decimal. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return NONE;
  return `${perSecond.toFixed(1)}/s`;
}
