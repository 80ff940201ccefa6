// Experiments (GET /v1/experiments, GET /v1/experiments/ID/results and /history): intervals as
// plots, lift against zero and over time, p-values, chance to beat control, guardrails, the
// sample-ratio check in words, the recommendation, progress.
import { getJson } from './api.js';
import { h, intervalPlot, progressBar } from './svg.js';
import { formatInterval, formatMetricValue, formatNumber, formatP, formatPercent } from './lib/format.js';
import { cappingInWords, cupedInWords } from './lib/metric-kinds.js';
import { liftOverTimeChart, liftPointText } from './lift-over-time.js';

/** The results last drawn. */
let lastSeen = '';

export async function refreshExperiments(root) {
  const list = await getJson('/v1/experiments');
  if (list === null) {
    root.replaceChildren(h('p', { class: 'muted' }, 'no experiments API on this gateway'));
    return;
  }
  if (list.experiments.length === 0) {
    root.replaceChildren(h('p', { class: 'muted' }, 'no experiments in the config'));
    return;
  }
  const path = (e, what) => `/v1/experiments/${encodeURIComponent(e.id)}/${what}`;
  const [results, histories] = await Promise.all([
    Promise.all(list.experiments.map((e) => getJson(path(e, 'results')))),
    Promise.all(list.experiments.map((e) => getJson(path(e, 'history')))),
  ]);
  // Redrawn only when the results or their history changed.
  const seen = JSON.stringify([results, histories]);
  if (seen === lastSeen && root.childElementCount > 0) return;
  lastSeen = seen;
  root.replaceChildren(...results.flatMap((r, i) => (r === null ? [] : [experimentCard(r, histories[i]?.points ?? [])])));
}

function experimentCard(r, history) {
  const id = r.experimentId;
  const k = (field) => `experiments.${id}.${field}`;
  const rec = r.recommendation;
  return h('article', { class: 'experiment', 'data-experiment': id },
    h('h3', {}, id, ' ', h('span', { class: 'muted', 'data-k': `experiments.${id}.header` }, `route ${r.route}, baseline ${r.control}`), r.stopped ? h('span', { class: 'badge' }, 'stopped') : null),
    h('p', { class: `recommendation action-${rec.action.replace(/ /g, '-')}` },
      h('b', { 'data-k': k('recommendation') }, rec.action + (rec.variant ? ` ${rec.variant}` : '')), ': ', h('span', { 'data-k': k('recommendation.reason') }, rec.reason)),
    h('p', { 'data-k': k('srm'), class: r.sampleRatio.mismatch ? 'bad' : '' }, sampleRatioInWords(r)),
    progress(r),
    r.warnings.length > 0 ? h('ul', { class: 'warnings' }, r.warnings.map((w) => h('li', { class: 'warn' }, w))) : null,
    r.exposureJoin ? h('p', { class: 'muted', 'data-k': k('leftOut') }, leftOutInWords(r.exposureJoin)) : null,
    h('p', { class: 'muted' }, `${Math.round(r.intervals.level * 100)} % intervals (${r.intervals.kind}); p-values adjusted by ${r.correction.method} across ${r.correction.comparisons} comparisons${r.guardrails.length > 0 ? ' (guardrails not corrected)' : ''}`),
    r.guardrails.length > 0 ? h('ul', { class: 'guardrails' }, r.guardrails.map((g) => h('li', { class: g.harmed ? 'bad' : '', 'data-k': k(`guardrail.${g.metric}.${g.variant}`) }, `Guardrail ${g.harmed ? 'HARMED' : 'ok'}: ${g.summary}`))) : null,
    h('p', { class: 'muted', 'data-k': k('chanceToBeatControl.label') }, `${r.chanceToBeatControl.label}: beside each comparison; it does not decide the verdict.`),
    ...r.metrics.map((m) => metricBlock(id, m, history)));
}

/** The sample-ratio check as a sentence. */
export function sampleRatioInWords(r) {
  const srm = r.sampleRatio;
  const observed = Object.entries(srm.observed).map(([v, n]) => `${v} ${n}`).join(', ');
  const expected = Object.entries(srm.expected).map(([v, n]) => `${v} ${formatNumber(n)}`).join(', ');
  if (srm.pValue === null) return `Split check: not enough units yet to tell whether the split matches the weights (units: ${observed || 'none'}).`;
  if (srm.mismatch) return `Split check FAILED: units ${observed} against expected ${expected} (p = ${formatP(srm.pValue)}, below 0.001). Assignment or logging is broken somewhere; do not trust any metric until it is found.`;
  return `Split check passed: units ${observed} match the weights (expected ${expected}; p = ${formatP(srm.pValue)}).`;
}

/** What the join on exposure analysed per arm, and what it left out. */
export function leftOutInWords(join) {
  const analysed = Object.entries(join.analysedUnits).map(([v, n]) => `${v} ${n}`).join(', ');
  return `Analysed (joined on exposure): ${analysed} units; left out: ${join.leftOut}.`;
}

function progress(r) {
  const needed = r.sampleSize.unitsPerVariant;
  if (needed === null) return h('p', { class: 'muted', 'data-k': `experiments.${r.experimentId}.progress` }, `planned sample size: known once ${r.control} has outcomes for ${r.sampleSize.metric ?? 'the primary metric'}`);
  return h('div', { class: 'progress-block' },
    h('p', {}, `units collected against the ${formatNumber(needed)} per variant needed to detect a ${formatPercent(r.sampleSize.mde)} change in ${r.sampleSize.metric} with power ${r.sampleSize.power}`),
    r.variants.map((v) => h('div', { class: 'progress-row' },
      h('span', { class: 'label' }, v.name),
      progressBar(v.exposures, needed, `${v.name} units`),
      h('span', { 'data-k': `experiments.${r.experimentId}.progress.${v.name}` }, `${formatNumber(v.exposures)} / ${formatNumber(needed)}`))));
}

/** Per treatment, the metric's cumulative lift at each recorded point. */
function liftHistory(history, metric, variant) {
  return history.map((p) => ({ at: p.at, lift: p.metrics.find((x) => x.name === metric)?.comparisons.find((c) => c.variant === variant)?.relativeLift ?? null }));
}

function liftOverTime(id, m, history) {
  if (m.comparisons.length === 0) return null;
  return h('div', { class: 'plots' }, m.comparisons.map((c) => {
    const points = liftHistory(history, m.name, c.variant);
    const latest = points[points.length - 1];
    const caption = points.length === 0 ? 'no points recorded yet (one every historyInterval while the experiment runs)'
      : `${points.length} point${points.length === 1 ? '' : 's'}; latest ${liftPointText(latest.at, latest.lift)}`;
    return h('figure', { 'data-lift-over-time': `${m.name}.${c.variant}` },
      liftOverTimeChart(points, { label: `${m.name}: cumulative lift of ${c.variant} over time` }),
      h('figcaption', {}, `cumulative lift of ${c.variant} over time, with its interval: `, h('span', { 'data-k': `experiments.${id}.${m.name}.${c.variant}.liftOverTime` }, caption)));
  }));
}

function metricBlock(id, m, history) {
  const k = (variant, field) => `experiments.${id}.${m.name}.${variant}.${field}`;
  const format = (value) => formatMetricValue(m.kind, value);
  const lifts = m.comparisons.filter((c) => c.relativeLift !== null);
  const tone = (c) => (c.verdict === 'better' ? 'good' : c.verdict === 'worse' ? 'bad' : '');
  return h('div', { class: 'metric', 'data-metric': m.name },
    h('h4', {}, m.name, ' ', h('span', { class: 'muted' }, `${m.ratio ? `ratio ${m.ratio.numerator}/${m.ratio.denominator}` : m.kind}, ${m.goal === 'increase' ? 'higher is better' : 'lower is better'}${m.role === 'secondary' ? '' : `, ${m.role}`}`)),
    m.capping ? h('p', { class: 'muted', 'data-k': `experiments.${id}.${m.name}.capping` }, cappingInWords(m.capping)) : null,
    ...m.comparisons.filter((c) => c.cuped).map((c) => h('p', { class: 'muted', 'data-k': k(c.variant, 'cuped') }, `${c.variant} vs control: ${cupedInWords(c.cuped)}`)),
    h('div', { class: 'plots' },
      h('figure', {}, intervalPlot(m.variants.map((v) => ({ label: v.variant, estimate: v.mean, ci: v.ci })), { format, label: `${m.name}: mean per variant with interval` }),
        h('figcaption', {}, 'mean per variant with its interval')),
      lifts.length === 0 ? null : h('figure', {}, intervalPlot(lifts.map((c) => ({ label: c.variant, estimate: c.relativeLift.estimate, ci: c.relativeLift.ci, tone: tone(c) })), { zero: true, format: formatPercent, label: `${m.name}: lift against control` }),
        h('figcaption', {}, 'relative lift against control; the line is zero'))),
    liftOverTime(id, m, history),
    h('table', {},
      h('thead', {}, h('tr', {}, ['variant', 'units', 'mean', 'interval', 'lift', 'lift interval', 'p', 'adjusted p', 'verdict'].map((c) => h('th', {}, c)),
        h('th', { title: 'Chance to beat control (Bayesian, flat prior, normal approximation)' }, 'chance to beat control (Bayesian)'))),
      h('tbody', {}, m.variants.map((v) => {
        const c = m.comparisons.find((x) => x.variant === v.variant);
        return h('tr', {},
          h('td', {}, v.variant),
          h('td', { 'data-k': k(v.variant, 'n') }, formatNumber(v.n)),
          h('td', { 'data-k': k(v.variant, 'mean') }, format(v.mean)),
          h('td', { 'data-k': k(v.variant, 'ci') }, formatInterval(v.ci, format)),
          h('td', { 'data-k': k(v.variant, 'lift') }, c ? formatPercent(c.relativeLift?.estimate) : 'control'),
          h('td', { 'data-k': k(v.variant, 'liftCi') }, c ? formatInterval(c.relativeLift?.ci, formatPercent) : ''),
          h('td', { 'data-k': k(v.variant, 'p') }, c ? formatP(c.test?.pValue) : ''),
          h('td', { 'data-k': k(v.variant, 'adjustedP') }, c ? formatP(c.adjustedPValue) : ''),
          h('td', { class: c ? tone(c) : '' }, c ? c.verdict : ''),
          h('td', { 'data-k': k(v.variant, 'chanceToBeat') }, c ? formatPercent(c.chanceToBeatControl) : ''));
      }))));
}
