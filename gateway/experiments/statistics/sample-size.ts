import { studentTQuantile, zQuantile } from './distributions.js';
import { noncentralTCdf } from './noncentral-t.js';

/**
 * Units per variant for a two-sided test at `alpha` to detect a relative change of `mde`
 * from the control's baseline with probability `power`.
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

/**
 * Means, for Welch's test with n units in each arm and the arms' own variances σ_t², σ_c²:
 *   se = sqrt((σ_t² + σ_c²)/n),  df = (σ_t² + σ_c²)²(n − 1)/(σ_t⁴ + σ_c⁴)  (Welch–Satterthwaite),
 *   power(n) = P(T' > t(1 − α/2, df)),  T' noncentral t with df and noncentrality δ/se,
 * solved for the n where power(n) reaches the target (δ = mde·|baseline mean|). With equal
 * variances df = 2(n − 1) and δ/se = sqrt(n/2)·δ/σ: exactly R's `power.t.test` (strict = FALSE).
 * Unrounded; null when there is no effect or no variance to plan with.
 */
export function unitsForMean(baselineMean: number, controlVariance: number, treatmentVariance: number, input: PowerInput): number | null {
  const delta = input.mde * Math.abs(baselineMean);
  const total = controlVariance + treatmentVariance;
  if (!(delta > 0) || !(controlVariance > 0) || !(treatmentVariance > 0)) return null;
  const fourth = controlVariance ** 2 + treatmentVariance ** 2;
  const powerAt = (n: number) => {
    const df = (total * total * (n - 1)) / fourth;
    return 1 - noncentralTCdf(studentTQuantile(1 - input.alpha / 2, df), df, delta / Math.sqrt(total / n));
  };
  // Power rises with n. Twice the normal approximation (σ_t² + σ_c²)(z_α + z_β)²/δ² brackets the root.
  const z = zQuantile(1 - input.alpha / 2) + zQuantile(input.power);
  let high = Math.max(4, (2 * total * z * z) / (delta * delta));
  while (powerAt(high) < input.power) high *= 2;
  let low = 2;
  if (powerAt(low) >= input.power) return low;
  while (high - low > 1e-13 * high) {
    const mid = (low + high) / 2;
    if (powerAt(mid) < input.power) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
