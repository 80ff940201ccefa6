/**
 * Always-valid inference for peeking: an asymptotic confidence sequence (CS) whose coverage
 * holds simultaneously at every look, so the results may be read after every unit.
 *
 * Method: the normal-mixture boundary of Howard, Ramdas, McAuliffe & Sekhon (2021),
 * "Time-uniform, nonparametric, nonasymptotic confidence sequences", Ann. Statist. 49(2),
 * eq. (14), in the asymptotic form of Waudby-Smith, Arnold, Wu, Howard & Ramdas (2024),
 * "Time-uniform central limit theory and asymptotic confidence sequences", Ann. Statist.,
 * as GrowthBook applies it to a difference of means (docs: "Sequential Testing"):
 *
 *   half-width = σ̂ · sqrt( 2(Nρ² + 1) / (N²ρ²) · ln( sqrt(Nρ² + 1) / α ) )
 *
 * with N the units in both arms and σ̂² = N · se², se the unpooled standard error of the
 * estimate. Writing c = Nρ² this is  se · sqrt( (1 + 1/c) · (ln(1 + c) − 2 ln α) ).
 * ρ sets where the sequence is tightest; it is tuned to a total of `tuningUnits` units:
 *   ρ = sqrt( (−2 ln α + ln(−2 ln α + 1)) / tuningUnits ).
 * The tuning value must be fixed before the data are seen (config, not data).
 */

/** GrowthBook's default: the sequence is tightest at 5000 units in all. */
export const DEFAULT_SEQUENTIAL_TUNING_UNITS = 5000;

export function mixtureRho(alpha: number, tuningUnits: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuningUnits);
}

/** Half-width of the (1 − α) confidence sequence for an estimate with standard error `se` from `units` units. */
export function confidenceSequenceHalfWidth(se: number, units: number, alpha: number, tuningUnits: number): number {
  const c = units * mixtureRho(alpha, tuningUnits) ** 2;
  return se * Math.sqrt((1 + 1 / c) * (Math.log(1 + c) - 2 * Math.log(alpha)));
}

/**
 * The always-valid p-value: the smallest α whose confidence sequence excludes 0 at this look,
 * from inverting the half-width:  p = min(1, sqrt(1 + c) · exp(−z² c / (2(1 + c)))),  z = estimate / se.
 * (ρ depends on α; the α of the report is used, so p ≤ α exactly when the CS excludes 0.)
 */
export function alwaysValidPValue(estimate: number, se: number, units: number, alpha: number, tuningUnits: number): number {
  const c = units * mixtureRho(alpha, tuningUnits) ** 2;
  const z = estimate / se;
  return Math.min(1, Math.sqrt(1 + c) * Math.exp((-z * z * c) / (2 * (1 + c))));
}
