// Shadow comparisons (GET /admin/shadows): agreement and output differences, over time.
import { getJson } from './api.js';
import { h, sparkline } from './svg.js';
import { formatMs, formatNumber, formatPercent } from './lib/format.js';

/** Per route: the last report and the per-poll agreement and mean difference, for the charts. */
const seen = new Map();

export async function refreshShadows(root) {
  const body = await getJson('/admin/shadows');
  if (body === null) {
    root.replaceChildren(h('p', { class: 'muted', 'data-k': 'shadows.absent' }, 'no shadow API on this gateway (GET /admin/shadows answers 404)'));
    return;
  }
  if (body.shadows.length === 0) {
    root.replaceChildren(h('p', { class: 'muted' }, 'no route has sent shadow traffic yet'));
    return;
  }
  const rows = body.shadows.map((f) => {
    const key = `${f.route}\u0000${f.backend}`;
    const past = seen.get(key) ?? { last: undefined, agreement: [], difference: [] };
    // Between polls: rows agreeing of rows compared, mean difference of answers compared.
    const rowsCompared = f.comparedRows - (past.last?.comparedRows ?? 0);
    const answers = f.comparedAnswers - (past.last?.comparedAnswers ?? 0);
    past.agreement.push(rowsCompared > 0 ? (f.agreeingRows - (past.last?.agreeingRows ?? 0)) / rowsCompared : null);
    past.difference.push(answers > 0 ? (f.absDiffSum - (past.last?.absDiffSum ?? 0)) / answers : null);
    for (const series of [past.agreement, past.difference]) while (series.length > 60) series.shift();
    past.last = f;
    seen.set(key, past);
    const k = (field) => `shadows.${f.route}.${field}`;
    return h('tr', {},
      h('td', {}, f.route), h('td', {}, f.backend),
      h('td', { 'data-k': k('sent') }, formatNumber(f.sent)),
      h('td', {}, formatNumber(f.dropped + f.skipped)),
      h('td', { 'data-k': k('agreement') }, formatPercent(f.agreement)),
      h('td', {}, sparkline(past.agreement, { max: 1, label: 'agreement over time' })),
      h('td', { 'data-k': k('meanAbsDifference') }, formatNumber(f.meanAbsDifference)),
      h('td', {}, sparkline(past.difference, { label: 'mean absolute difference over time' })),
      h('td', {}, formatMs(f.meanLatencyDifferenceMs)),
      h('td', {}, formatPercent(f.errorRate)));
  });
  root.replaceChildren(h('table', {},
    h('thead', {}, h('tr', {}, ['route', 'shadow', 'sent', 'not sent', 'agreement', 'agreement over time', 'mean |difference|', 'difference over time', 'latency vs primary', 'errors'].map((c) => h('th', {}, c)))),
    h('tbody', {}, rows)));
}
