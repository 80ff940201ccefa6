// Routes: target, live weights and per-backend traffic from successive /metrics scrapes.
import { act, getJson, getText } from './api.js';
import { h, sparkline } from './svg.js';
import { backendTotals, breakerStates, fallbackTotals, parsePrometheus, windowFigures } from './lib/prometheus.js';
import { formatMs, formatNumber, formatPercent, formatRate } from './lib/format.js';
import { describeMatch } from './lib/match.js';

/** Seconds of scrapes kept: the rate, error and p99 window, and the sparklines' span. */
const WINDOW_SECONDS = 10;
const HISTORY_SECONDS = 120;

/** Scrapes: {at (ms), totals: Map<"route\0backend", BackendTotals>, fallbacks, requestsByRoute}. */
const scrapes = [];
/** Request rate per backend over time, for the sparklines. */
const rates = new Map();

function keyOf(route, backend) { return `${route}\u0000${backend}`; }

/** The backends a target sends to, with their role and live weight (percent; null: not weighted). */
function backendsOf(target) {
  switch (target.kind) {
    case 'backend': return [{ backend: target.backend, role: 'only', weight: 100 }];
    case 'canary': return [
      { backend: target.stable, role: 'stable', weight: target.weights.stable },
      { backend: target.canary, role: 'canary', weight: target.weights.canary },
    ];
    case 'blueGreen': return [
      { backend: target.active, role: 'active', weight: 100 },
      { backend: target.preview, role: 'preview', weight: 0 },
    ];
    default: return [];
  }
}

/** The experiment variants a backend served on a route, from the request counter's labels. */
function variantsOf(samples, route, backend) {
  const names = new Set(samples.filter((x) => x.name === 'switchyard_gateway_requests_total' && x.labels.route === route && x.labels.backend === backend && x.labels.variant).map((x) => x.labels.variant));
  return names.size === 0 ? 'variant' : `variant ${[...names].sort().join(', ')}`;
}

function describeTarget(target) {
  switch (target.kind) {
    case 'backend': return `backend ${target.backend}`;
    case 'canary': return `canary ${target.canary} over stable ${target.stable}`;
    case 'blueGreen': return `blue-green: ${target.active} active, ${target.preview} preview`;
    default: return `experiment ${target.id}`;
  }
}

export async function refreshRoutes(root, refreshAll) {
  const [routesBody, metricsText] = await Promise.all([getJson('/admin/routes'), getText('/metrics')]);
  const samples = parsePrometheus(metricsText);
  const now = Date.now();
  const scrape = { at: now, totals: new Map(backendTotals(samples).map((t) => [keyOf(t.route, t.backend), t])) };
  scrapes.push(scrape);
  while (scrapes.length > 1 && now - scrapes[0].at > HISTORY_SECONDS * 1000) scrapes.shift();
  // The window's start: the oldest scrape no older than WINDOW_SECONDS, not this one.
  const earlier = scrapes.find((sc) => sc !== scrape && now - sc.at <= WINDOW_SECONDS * 1000);
  const breakers = breakerStates(samples);
  const fallbacks = fallbackTotals(samples);

  const tables = routesBody.routes.map((route) => {
    const experimentVariants = route.target.kind === 'experiment'
      ? Object.entries(route.target.weights).map(([variant, weight]) => ({ variant, weight })) : [];
    let backends = backendsOf(route.target);
    if (route.target.kind === 'experiment') {
      // Experiment backends come from the metrics: the variant names are in the weights.
      backends = [...scrape.totals.values()].filter((t) => t.route === route.name).map((t) => ({ backend: t.backend, role: variantsOf(samples, route.name, t.backend), weight: null }))
        .sort((a, b) => a.backend.localeCompare(b.backend));
    }
    const routeRequests = backends.reduce((sum, b) => sum + (scrape.totals.get(keyOf(route.name, b.backend))?.requests ?? 0), 0);
    const rows = backends.map((b) => backendRow(route.name, b, scrape, earlier, breakers));
    const fallback = fallbacks.get(route.name);
    const figures = h('div', { class: 'figures' },
      h('h3', {}, route.name, ' ', h('span', { class: 'muted' }, describeTarget(route.target)), route.target.overridden ? [' ', h('span', { class: 'badge warn', 'data-k': `routes.${route.name}.overridden`, title: 'an operator changed this route through the admin API; the YAML says otherwise' }, 'overridden')] : null),
      h('p', { class: 'muted', 'data-k': `routes.${route.name}.match` }, `matches ${describeMatch(route.match)}`),
      experimentVariants.length > 0 ? h('p', {}, 'weights: ', experimentVariants.map((v) => h('span', { class: 'chip', 'data-k': `routes.${route.name}.variant.${v.variant}.weight` }, `${v.variant} ${formatNumber(v.weight)} %`))) : null,
      h('table', {},
        h('thead', {}, h('tr', {}, ['backend', 'role', 'weight', 'req/s', `errors ${WINDOW_SECONDS} s`, `p99 ${WINDOW_SECONDS} s`, 'requests', 'errors', 'p99', 'breaker', 'rate'].map((c) => h('th', {}, c)))),
        h('tbody', {}, rows)),
      fallback === undefined ? null : h('p', {}, 'fallback share: ', h('span', { 'data-k': `routes.${route.name}.fallbackShare` }, formatPercent(routeRequests > 0 ? fallback / routeRequests : null)), ` (${formatNumber(fallback)} answered by a fallback)`));
    return articleFor(route, figures, refreshAll);
  });
  // The articles stay in place while the routes do: a weight being typed keeps its focus.
  const same = tables.length === root.children.length && tables.every((t, i) => root.children[i] === t);
  if (!same) root.replaceChildren(...(tables.length === 0 ? [h('p', { class: 'muted' }, 'no routes')] : tables));
}

/** Per route: its article, and its controls with the target they were built for. */
const articles = new Map();

/** The route's article with fresh figures; the controls are rebuilt only when the target changed. */
function articleFor(route, figures, refreshAll) {
  const target = JSON.stringify(route.target);
  let entry = articles.get(route.name);
  if (entry === undefined) {
    entry = { article: h('article', { class: 'route', 'data-route': route.name }), target: undefined, controls: null };
    articles.set(route.name, entry);
  }
  if (entry.target !== target) {
    entry.target = target;
    entry.controls = controls(route, refreshAll) ?? h('div');
    entry.article.replaceChildren(figures, entry.controls);
  } else {
    entry.article.firstChild.replaceWith(figures);
  }
  return entry.article;
}

function backendRow(route, b, scrape, earlier, breakers) {
  const key = keyOf(route, b.backend);
  const total = scrape.totals.get(key) ?? { route, backend: b.backend, requests: 0, errors: 0, buckets: [] };
  const sinceStart = windowFigures(total, undefined, 0);
  const before = earlier?.totals.get(key) ?? (earlier ? { ...total, requests: 0, errors: 0, buckets: [] } : undefined);
  const recent = windowFigures(total, before, earlier ? (scrape.at - earlier.at) / 1000 : 0);
  const series = rates.get(key) ?? [];
  series.push(recent.ratePerSecond);
  while (series.length > 60) series.shift();
  rates.set(key, series);
  const breaker = breakers.get(b.backend);
  const k = (field) => `routes.${route}.${b.backend}.${field}`;
  return h('tr', { 'data-backend': b.backend },
    h('td', {}, b.backend),
    h('td', {}, b.role),
    h('td', { 'data-k': k('weight') }, b.weight === null ? '' : `${formatNumber(b.weight)} %`),
    h('td', { 'data-k': k('rate') }, formatRate(recent.ratePerSecond)),
    h('td', { 'data-k': k('recentErrorRate'), class: (recent.errorRate ?? 0) > 0 ? 'bad' : '' }, formatPercent(recent.errorRate)),
    h('td', { 'data-k': k('recentP99') }, formatMs(recent.p99Ms)),
    h('td', { 'data-k': k('requests') }, formatNumber(sinceStart.requests)),
    h('td', { 'data-k': k('errorRate'), class: (sinceStart.errorRate ?? 0) > 0 ? 'bad' : '' }, formatPercent(sinceStart.errorRate)),
    h('td', { 'data-k': k('p99') }, formatMs(sinceStart.p99Ms)),
    h('td', { 'data-k': k('breaker') }, breaker === undefined ? '' : h('span', { class: `badge ${breaker.state === 'closed' ? 'good' : 'bad'}` }, `${breaker.state}${breaker.mode === 'observe' ? ' (observe)' : ''}`)),
    h('td', {}, sparkline(series, { label: `${b.backend} requests per second` })));
}

/** Weight and switch controls, through the same admin API (with a confirmation). */
function controls(route, refreshAll) {
  const result = h('span', { class: 'result' });
  if (route.target.kind === 'canary') {
    const input = h('input', { type: 'number', min: 0, max: 100, step: 1, value: route.target.weights.canary, 'aria-label': `${route.name} canary weight`, 'data-control': `weight.${route.name}` });
    return h('div', { class: 'controls' },
      'canary weight ', input, ' % ',
      h('button', { type: 'button', 'data-control': `set-weight.${route.name}`, onclick: () => act(`Set the canary weight of ${route.name} to ${input.value} %?`, `/admin/routes/${encodeURIComponent(route.name)}/weights`, { canary: Number(input.value) }, result, refreshAll) }, 'Set'),
      ' ',
      h('button', { type: 'button', class: 'danger', 'data-control': `zero-canary.${route.name}`, onclick: () => act(`Send no traffic to ${route.target.canary} (canary weight 0 %) on ${route.name}?`, `/admin/routes/${encodeURIComponent(route.name)}/weights`, { canary: 0 }, result, refreshAll) }, 'Canary to 0 %'),
      ' ', result);
  }
  if (route.target.kind === 'blueGreen') {
    return h('div', { class: 'controls' },
      h('button', { type: 'button', class: 'danger', 'data-control': `switch.${route.name}`, onclick: () => act(`Switch ${route.name}: all traffic to ${route.target.preview}?`, `/admin/routes/${encodeURIComponent(route.name)}/switch`, {}, result, refreshAll) }, `Switch to ${route.target.preview}`),
      ' ', result);
  }
  return null;
}
