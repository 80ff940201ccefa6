// Experiments (GET /v1/experiments, GET /v1/experiments/ID/results): intervals as plots, lift
// against zero, p-values, the sample-ratio check in words, the recommendation, progress.
import { getJson } from './api.js';
import { h, intervalPlot, progressBar } from './svg.js';
import { formatInterval, formatMetricValue, formatNumber, formatP, formatPercent } from './lib/format.js';

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
  const results = await Promise.all(list.experiments.map((e) => getJson(`/v1/experiments/${encodeURIComponent(e.id)}/results`)));
  // Redrawn only when the results changed.
  const seen = JSON.stringify(results);
  if (seen === lastSeen && root.childElementCount > 0) return;
  lastSeen = seen;
  root.replaceChildren(...results.filter((r) => r !== null).map(experimentCard));
}

function experimentCard(r) {
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
    h('p', { class: 'muted' }, `${Math.round(r.intervals.level * 100)} % intervals (${r.intervals.kind}); p-values adjusted by ${r.correction.method} across ${r.correction.comparisons} comparisons`),
    ...r.metrics.map((m) => metricBlock(id, m)));
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

function metricBlock(id, m) {
  const k = (variant, field) => `experiments.${id}.${m.name}.${variant}.${field}`;
  const format = (value) => formatMetricValue(m.kind, value);
  const lifts = m.comparisons.filter((c) => c.relativeLift !== null);
  const tone = (c) => (c.verdict === 'better' ? 'good' : c.verdict === 'worse' ? 'bad' : '');
  return h('div', { class: 'metric', 'data-metric': m.name },
    h('h4', {}, m.name, ' ', h('span', { class: 'muted' }, `${m.kind}, ${m.goal === 'increase' ? 'higher is better' : 'lower is better'}${m.primary ? ', primary' : ''}`)),
    h('div', { class: 'plots' },
      h('figure', {}, intervalPlot(m.variants.map((v) => ({ label: v.variant, estimate: v.mean, ci: v.ci })), { format, label: `${m.name}: mean per variant with interval` }),
        h('figcaption', {}, 'mean per variant with its interval')),
      lifts.length === 0 ? null : h('figure', {}, intervalPlot(lifts.map((c) => ({ label: c.variant, estimate: c.relativeLift.estimate, ci: c.relativeLift.ci, tone: tone(c) })), { zero: true, format: formatPercent, label: `${m.name}: lift against control` }),
        h('figcaption', {}, 'relative lift against control; the line is zero'))),
    h('table', {},
      h('thead', {}, h('tr', {}, ['variant', 'units', 'mean', 'interval', 'lift', 'lift interval', 'p', 'adjusted p', 'verdict'].map((c) => h('th', {}, c)))),
      h('tbody', {}, m.variants.map((v) => {
        const c = m.comparisons.find((x) => x.variant === v.variant);
        return h('tr', {},
          h('td', {}, v.variant),
          h('td', { 'data-k': k(v.variant, 'n') }, formatNumber(v.n)),
          h('td', { 'data-k': k(v.variant, 'mean') }, format(v.mean)),
          h('td', { 'data-k': k(v.variant, 'ci') }, formatInterval(v.ci, format)),
          h('td', { 'data-k': k(v.variant, 'lift') }, c ? formatPercent(c.relativeLift?.estimate) : 'control'),
          h('td', {}, c ? formatInterval(c.relativeLift?.ci, formatPercent) : ''),
          h('td', { 'data-k': k(v.variant, 'p') }, c ? formatP(c.test?.pValue) : ''),
          h('td', { 'data-k': k(v.variant, 'adjustedP') }, c ? formatP(c.adjustedPValue) : ''),
          h('td', { class: c ? tone(c) : '' }, c ? c.verdict : ''));
      }))));
}
