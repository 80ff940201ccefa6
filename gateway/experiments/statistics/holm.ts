/**
 * Holm's step-down adjustment (Holm 1979), as R's `p.adjust(p, "holm")`: sort ascending,
 * multiply the i-th smallest (from 0) by (m - i), carry the running maximum, cap at 1.
 * Controls the family-wise error rate for any dependence between the tests. Returns the
 * adjusted values in the input order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  for (const [rank, [p, index]] of order.entries()) {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  }
  return adjusted;
}
