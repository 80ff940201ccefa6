import type { CappingReport, CupedReport } from '../../../experiments/statistics/types.js';
import { formatNumber, formatPercent } from './format.js';

/**
 * One line each for the capping and the CUPED adjustment behind a metric's figures. Pure and
 * free of Node imports: the page imports the compiled file and the CLI table calls the same
 * functions, so both say the same words as the results API's `capping` and `cuped`.
 */

/** "capped at 250 (percentile 99 of the unit totals); units capped: control 2, treatment 3". */
export function cappingInWords(c: CappingReport): string {
  const rule = c.method === 'percentile' && c.percentile !== null ? `percentile ${formatNumber(c.percentile * 100)} of the unit totals` : 'fixed';
  if (c.cap === null) return `capped: ${rule}; no unit has an outcome yet`;
  return `capped at ${formatNumber(c.cap)} (${rule}); units capped: ${Object.entries(c.cappedUnits).map(([v, n]) => `${v} ${n}`).join(', ')}`;
}

/** "CUPED on pre_revenue: variance reduction 42.13 %, theta 0.8, unadjusted difference 3.1". */
export function cupedInWords(c: CupedReport): string {
  return `CUPED on ${c.covariate}: variance reduction ${formatPercent(c.varianceReduction)}, theta ${formatNumber(c.theta)}, unadjusted difference ${formatNumber(c.unadjustedDifference)}`;
}
