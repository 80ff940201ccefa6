import { zQuantile } from './distributions.js';

/**
 * Units per variant for a two-sided test at `alpha` to detect a relative change of `mde`
 * from the control's baseline with probability `power`. Normal approximation; for the
 * thousands of units online experiments need, it is within a unit of the exact t answer.
 */
export interface PowerInput {
  readonly alpha: number;
  readonly power: number;
  /** Relative minimum detectable effect: 0.05 means a 5 % change of the control mean. */
  readonly mde: number;
}

/**
 * Proportions (Fleiss, Levin & Paik 2003, eq. 4.14 without continuity correction; R's
 * `power.prop.test` with strict = FALSE):
 *   n = (z(1−α/2)·sqrt(2 p̄ q̄) + z(power)·sqrt(p1 q1 + p2 q2))² / (p2 − p1)²,  p̄ = (p1 + p2)/2.
 * Unrounded; null when the baseline leaves no room for the effect.
 */
export function unitsForProportion(baseline: number, input: PowerInput): number | null {
  const p1 = baseline;
  const p2 = baseline * (1 + input.mde);
  if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1) || p1 === p2) return null;
  const pBar = (p1 + p2) / 2;
  const za = zQuantile(1 - input.alpha / 2);
  const zb = zQuantile(input.power);
  const top = za * Math.sqrt(2 * pBar * (1 - pBar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return (top * top) / ((p2 - p1) ** 2);
}

/** Means, equal variances:  n = 2σ²(z(1−α/2) + z(power))² / δ²,  δ = mde·|baseline mean|. */
export function unitsForMean(baselineMean: number, variance: number, input: PowerInput): number | null {
  const delta = input.mde * Math.abs(baselineMean);
  if (!(delta > 0) || !(variance > 0)) return null;
  const z = zQuantile(1 - input.alpha / 2) + zQuantile(input.power);
  return (2 * variance * z * z) / (delta * delta);
}
