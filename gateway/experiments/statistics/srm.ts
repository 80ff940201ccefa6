import { chiSquareUpperP } from './distributions.js';

/** Below this p the split of exposures is too unlikely under the configured weights to trust. */
export const SRM_P_THRESHOLD = 0.001;

export interface GoodnessOfFit {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  /** Expected exposures per category under the weights. */
  readonly expected: readonly number[];
}

/**
 * Pearson's chi-square goodness-of-fit of `observed` counts against `weights` (any positive
 * scale, e.g. percent), as SciPy's `chisquare(f_obs, f_exp)`. Null with no observations or
 * fewer than 2 categories.
 */
export function chiSquareGoodnessOfFit(observed: readonly number[], weights: readonly number[]): GoodnessOfFit | null {
  const total = observed.reduce((s, x) => s + x, 0);
  const weightTotal = weights.reduce((s, w) => s + w, 0);
  if (total === 0 || observed.length < 2 || observed.length !== weights.length) return null;
  const expected = weights.map((w) => (total * w) / weightTotal);
  const statistic = observed.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);
  const df = observed.length - 1;
  return { statistic, df, pValue: chiSquareUpperP(statistic, df), expected };
}

/** "= 1.30e-26", or "< 1e-300" where the tail is below the smallest double (χ² past about 1400). */
export function formatSrmP(p: number | null): string {
  if (p === null) return 'unknown';
  return p === 0 ? '< 1e-300' : `= ${p.toPrecision(3)}`;
}
