import type { Comparison, GuardrailCheck, MetricResult } from './types.js';

/**
 * Every guardrail × treatment, harmed or not. The test for harm is the comparison's own
 * two-sided test at alpha, not corrected for multiple comparisons:
 *  - not corrected, because a correction makes a harm harder to see as metrics are added,
 *    and a guardrail exists to see harm;
 *  - the same two-sided test, because then the intervals shown beside it exclude 0 on the
 *    harmful side exactly when it blocks, and it stays valid at every look when `sequential`.
 * Harmed: p ≤ alpha and the estimate on the worse side of the metric's goal.
 */
export function checkGuardrails(metrics: readonly MetricResult[], alpha: number): GuardrailCheck[] {
  return metrics.filter((m) => m.role === 'guardrail').flatMap((m) => m.comparisons.map((c) => {
    const pValue = c.test?.pValue ?? null;
    const estimate = c.difference.estimate;
    const worseSide = estimate !== null && estimate !== 0 && (estimate < 0) === (m.goal === 'increase');
    const harmed = pValue !== null && pValue <= alpha && worseSide;
    return { metric: m.name, variant: c.variant, harmed, difference: c.difference, relativeLift: c.relativeLift, pValue, summary: guardrailSummary(m, c) };
  }));
}

/** "latency_ms (lower is better): treatment − control +12.3 [+4.1, +20.5], lift +8.2 % [+2.7 %, +13.9 %], p = 0.0034". */
function guardrailSummary(m: MetricResult, c: Comparison): string {
  const d = c.difference;
  const parts = [`${m.name} (${m.goal === 'increase' ? 'higher' : 'lower'} is better): ${c.variant} − control ${d.estimate === null ? 'unknown' : signed(d.estimate)}${d.ci === null ? '' : ` [${signed(d.ci[0])}, ${signed(d.ci[1])}]`}`];
  const lift = c.relativeLift;
  if (lift !== null) parts.push(`lift ${percent(lift.estimate)}${lift.ci === null ? '' : ` [${percent(lift.ci[0])}, ${percent(lift.ci[1])}]`}`);
  parts.push(c.test === null ? 'no test' : `p = ${c.test.pValue.toPrecision(3)}`);
  return parts.join(', ');
}

function signed(x: number): string {
  const text = String(Number(x.toPrecision(3)));
  return x > 0 ? `+${text}` : text;
}

function percent(x: number): string {
  return `${signed(x * 100)} %`;
}
