// Canary against stable over time (GET /admin/series): weight, request rate, error rate and p99
// per sampling interval, with the rollout's events marked.
import { getJson } from './api.js';
import { h, timeChart } from './svg.js';
import { formatMs, formatNumber, formatPercent, formatRate } from './lib/format.js';

/** Windows the panel offers, minutes (the gateway keeps 60). */
const WINDOWS = [15, 30, 60];
/** The two sides of each strategy, the newer one second (drawn on top). */
const SIDES = { canary: ['stable', 'canary'], blueGreen: ['active', 'preview'] };

let minutes = 15;
let lastSeen = '';

export async function refreshSeries(root) {
  const body = await getJson(`/admin/series?minutes=${minutes}`);
  if (body === null) {
    root.replaceChildren(h('p', { class: 'muted' }, 'no time series on this gateway (GET /admin/series answers 404)'));
    return;
  }
  // Redrawn when a sample or an event arrived (every sampling interval), not on every poll.
  const seen = JSON.stringify([minutes, body.routes]);
  if (seen === lastSeen && root.childElementCount > 0) return;
  lastSeen = seen;
  const to = Date.parse(body.now);
  const from = to - body.minutes * 60_000;
  const cards = body.routes.map((r) => routeCard(r, from, to));
  root.replaceChildren(
    windowPicker(root),
    h('p', { class: 'muted' }, `one point per ${body.intervalSeconds} s, sampled by this gateway from its own request counters; dashed lines mark rollout events (hover for the reason)`),
    ...(cards.length === 0 ? [h('p', { class: 'muted' }, 'no canary or blue-green routes')] : cards));
}

function windowPicker(root) {
  return h('div', { class: 'controls' }, 'last ', WINDOWS.map((m) => h('button', {
    type: 'button', 'data-control': `series-window.${m}`, class: m === minutes ? 'selected' : '', 'aria-pressed': String(m === minutes),
    onclick: () => { minutes = m; void refreshSeries(root); },
  }, `${m} min`)));
}

function routeCard(route, from, to) {
  const sides = SIDES[route.strategy].map((side) => route.sides.find((s) => s.side === side) ?? { side, points: [] });
  const markers = route.events.map((e, i) => ({
    t: Date.parse(e.at), label: e.event, class: `event-${e.event}`, key: `${route.route}.${e.event}.${i}`,
    title: `${new Date(e.at).toLocaleTimeString()} ${e.event} by ${e.by} (canary ${e.weight} %): ${e.reason}`,
  }));
  const chart = (field, title, options) => h('figure', {},
    timeChart({
      from, to, markers, label: `${route.route}: ${title}`, ...options,
      lines: sides.map((s) => ({ name: `${route.route}.${s.side}.${field}`, class: s.side, points: s.points.map((p) => ({ t: Date.parse(p.at), v: p[field] })) })),
    }),
    h('figcaption', {}, title));
  return h('article', { class: 'series', 'data-series-route': route.route },
    h('h3', {}, route.route, ' ', h('span', { class: 'muted' }, route.strategy === 'canary' ? 'canary against stable' : 'active against preview')),
    h('p', { class: 'legend' }, sides.flatMap((s) => [h('span', { class: `swatch ${s.side}` }), ` ${s.side} ${s.points.at(-1)?.backend ?? ''} `, latest(route.route, s), ' '])),
    h('div', { class: 'plots' },
      chart('weight', 'weight, %', { max: 100, format: (v) => `${formatNumber(v)} %` }),
      chart('ratePerSecond', 'requests per second', { format: formatRate }),
      chart('errorRate', 'error rate', { format: formatPercent }),
      chart('p99Ms', 'p99 latency', { format: formatMs })),
    route.events.length === 0 ? null : h('ul', { class: 'history' }, [...route.events].reverse().slice(0, 5).map((e) => h('li', {},
      h('time', {}, new Date(e.at).toLocaleTimeString()), ' ', h('b', {}, e.event), ` by ${e.by}: ${e.reason}`))));
}

/** The side's last interval in words: weight, rate, error rate, p99. */
function latest(route, side) {
  const p = side.points.at(-1);
  const k = (field) => `series.${route}.${side.side}.${field}`;
  if (p === undefined) return h('span', { class: 'muted' }, '(no sample yet)');
  return h('span', { class: 'muted' }, '(',
    h('span', { 'data-k': k('weight') }, `${formatNumber(p.weight)} %`), ', ',
    h('span', { 'data-k': k('rate') }, formatRate(p.ratePerSecond)), ', errors ',
    h('span', { 'data-k': k('errorRate') }, formatPercent(p.errorRate)), ', p99 ',
    h('span', { 'data-k': k('p99') }, formatMs(p.p99Ms)), ')');
}
