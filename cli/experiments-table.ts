import type { ExperimentListing, ExperimentReport } from '../gateway/experiments/service.js';
import { cappingInWords, cupedInWords } from '../gateway/admin/dashboard/lib/metric-kinds.js';
import type { Comparison, MetricResult } from '../gateway/experiments/statistics/types.js';

/** Plain-text renderings of the experiments API for `switchyard experiments`. */

export function formatListing(experiments: readonly ExperimentListing[]): string {
  if (experiments.length === 0) return 'No experiments in the config in effect.\n';
  const rows = experiments.map((e) => [
    e.id, e.route, e.stopped ? 'stopped' : 'running',
    e.variants.map((v) => `${v.name} ${num(v.weight)}% (${v.exposures} ${v.exposures === 1 ? 'unit' : 'units'})`).join(', '),
    e.primaryMetric ?? '-',
  ]);
  return table(['experiment', 'route', 'state', 'variants', 'primary metric'], rows);
}

export function formatResults(r: ExperimentReport): string {
  const lines: string[] = [];
  const pct = `${num(r.intervals.level * 100)}%`;
  lines.push(`Experiment ${r.experimentId} (route ${r.route}${r.stopped ? ', stopped' : ''})`);
  const guarded = r.guardrails.length > 0 ? ' (guardrails not corrected)' : '';
  lines.push(`${r.intervals.kind} intervals at ${pct}; alpha ${r.alpha}; correction ${r.correction.method} over ${r.correction.comparisons} comparison(s)${guarded}`);
  const srm = r.sampleRatio;
  lines.push(`Units: ${r.variants.map((v) => `${v.name} ${v.exposures} (weight ${num(v.weight)}%)`).join(', ')}; `
    + (srm.pValue === null ? 'sample ratio not checked yet' : srm.mismatch ? `SAMPLE RATIO MISMATCH (p = ${p(srm.pValue)})` : `sample ratio ok (p = ${p(srm.pValue)})`));
  for (const metric of r.metrics) lines.push('', ...formatMetric(metric, pct));
  lines.push('', `${r.chanceToBeatControl.label}: beside each comparison; it does not decide the verdict.`);
  for (const g of r.guardrails) lines.push(`Guardrail ${g.harmed ? 'HARMED' : 'ok'}: ${g.summary}`);
  const rec = r.recommendation;
  lines.push(`Recommendation: ${rec.action}${rec.variant === null ? '' : ` ${rec.variant}`}. ${rec.reason}`);
  if (rec.unitsStillNeeded !== null) lines.push(`Units still needed: ${Object.entries(rec.unitsStillNeeded).map(([v, n]) => `${v} ${n}`).join(', ')}`);
  const join = r.exposureJoin;
  lines.push(`Analysed (joined on exposure): ${Object.entries(join.analysedUnits).map(([v, n]) => `${v} ${n}`).join(', ')} units; left out: ${join.leftOut}`);
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

function formatMetric(m: MetricResult, pct: string): string[] {
  const kind = m.ratio === undefined ? m.kind : `ratio ${m.ratio.numerator}/${m.ratio.denominator}`;
  const head = `${m.name} (${kind}, ${m.goal === 'increase' ? 'higher is better' : 'lower is better'}${m.role === 'secondary' ? '' : `, ${m.role}`})`;
  const rows = m.variants.map((v) => [v.variant, String(v.n), v.mean === null ? '-' : num(v.mean), v.sd === null ? '-' : num(v.sd), v.ci === null ? '-' : interval(v.ci)]);
  return [
    head, ...indent(table(['variant', 'n', 'mean', 'sd', `${pct} CI`], rows)),
    ...(m.capping === undefined ? [] : [`  ${cappingInWords(m.capping)}`]),
    ...m.comparisons.flatMap((c) => [`  ${formatComparison(c)}`, ...(c.cuped === undefined ? [] : [`    ${cupedInWords(c.cuped)}`])]),
  ];
}

function formatComparison(c: Comparison): string {
  const parts = [`${c.variant} vs control: difference ${c.difference.estimate === null ? '-' : signed(c.difference.estimate)}${c.difference.ci === null ? '' : ` ${interval(c.difference.ci, true)}`}`];
  if (c.relativeLift !== null) parts.push(`lift ${signedPct(c.relativeLift.estimate)}${c.relativeLift.ci === null ? '' : ` [${signedPct(c.relativeLift.ci[0])}, ${signedPct(c.relativeLift.ci[1])}]`}`);
  if (c.test !== null) {
    const stat = c.test.method === 'welch-t' ? `t = ${num(c.test.statistic)}, df = ${num(c.test.df)}` : c.test.method === 'two-proportion-z' ? `z = ${num(c.test.statistic)}` : `statistic ${num(c.test.statistic)}`;
    parts.push(`${stat}, p = ${p(c.test.pValue)}${c.adjustedPValue !== null && c.adjustedPValue !== c.test.pValue ? ` (adjusted ${p(c.adjustedPValue)})` : ''}`);
  } else parts.push('no test (see warnings)');
  parts.push(c.significant ? `significant: ${c.verdict}` : 'not significant');
  if (c.chanceToBeatControl !== null) parts.push(`chance to beat control ${num(c.chanceToBeatControl * 100)}%`);
  return parts.join('; ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function indent(text: string): string[] {
  return text.trimEnd().split('\n').map((l) => `  ${l}`);
}

/** Four significant digits, no exponent for everyday magnitudes. */
function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

function signed(x: number): string {
  return x > 0 ? `+${num(x)}` : num(x);
}

function signedPct(x: number): string {
  return `${x > 0 ? '+' : ''}${num(x * 100)}%`;
}

function interval(ci: readonly [number, number], withSign = false): string {
  const f = withSign ? signed : num;
  return `[${f(ci[0])}, ${f(ci[1])}]`;
}

function p(x: number): string {
  return x < 0.0001 ? '< 0.0001' : num(x);
}
