/** How p-values are adjusted across a family of comparisons (an experiment's `multipleComparisons`). */
export type CorrectionMethod = 'holm' | 'benjamini-hochberg' | 'none';

/**
 * The adjusted p-values, in the input order, as R's `p.adjust(p, method)` gives them
 * ("holm", "BH", "none"). A comparison is significant when its adjusted p is at most alpha.
 */
export function adjustPValues(method: CorrectionMethod, pValues: readonly number[]): number[] {
  switch (method) {
    case 'holm': return holmAdjust(pValues);
    case 'benjamini-hochberg': return benjaminiHochbergAdjust(pValues);
    case 'none': return [...pValues];
  }
}

/**
 * Holm's step-down adjustment (Holm 1979): sort ascending, multiply the i-th smallest (from 0)
 * by (m − i), carry the running maximum, cap at 1. Controls the family-wise error rate (the
 * chance of any false positive) for any dependence between the tests.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let running = 0;
  for (const [rank, [p, index]] of ascending(pValues).entries()) {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  }
  return adjusted;
}

/**
 * Benjamini–Hochberg's step-up adjustment (1995): the i-th smallest of m (from 1) becomes
 * p·m/i, then the running minimum from the largest down, capped at 1. Controls the false
 * discovery rate (the expected share of false positives among the significant comparisons)
 * for independent or positively dependent tests; less strict than Holm with many metrics.
 */
export function benjaminiHochbergAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let running = 1;
  const order = ascending(pValues);
  for (let rank = m - 1; rank >= 0; rank--) {
    const [p, index] = order[rank]!;
    running = Math.min(running, (p * m) / (rank + 1));
    adjusted[index] = running;
  }
  return adjusted;
}

/** [p, input index] pairs, smallest p first; ties keep the input order. */
function ascending(pValues: readonly number[]): (readonly [number, number])[] {
  return pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
}
