// The cumulative relative lift of one treatment over time, with its interval as a band
// (GET /v1/experiments/ID/history: one point per historyInterval while the experiment runs).
import { s } from './svg.js';
import { formatInterval, formatPercent } from './lib/format.js';

/** What a point reads: "12:05 UTC: +3.20 % [-1.10 %, +7.50 %]", in the circle's title and the caption. */
export function liftPointText(at, lift) {
  const time = `${new Date(at).toISOString().slice(11, 16)} UTC`;
  if (lift === null) return `${time}: no lift (control mean 0)`;
  return `${time}: ${formatPercent(lift.estimate)} ${formatInterval(lift.ci, formatPercent)}`;
}

/**
 * points: [{at, lift: {estimate, ci} | null}], oldest first. A line through the estimates, a
 * band between the interval's ends where there is one, and the zero line.
 */
export function liftOverTimeChart(points, { label = '' } = {}) {
  const width = 420;
  const height = 150;
  const left = 66;
  const right = 24;
  const top = 8;
  const bottom = 22;
  const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'lift-over-time', role: 'img', 'aria-label': label });
  const drawn = points.filter((p) => p.lift !== null && Number.isFinite(p.lift.estimate));
  if (drawn.length === 0) return svg;
  const values = [0, ...drawn.flatMap((p) => (p.lift.ci ? [p.lift.ci[0], p.lift.ci[1], p.lift.estimate] : [p.lift.estimate]))];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) { lo -= 0.01; hi += 0.01; }
  const first = drawn[0].at;
  const last = drawn[drawn.length - 1].at;
  const x = (at) => (last === first ? (left + width - right) / 2 : left + ((at - first) / (last - first)) * (width - left - right));
  const y = (v) => top + ((hi - v) / (hi - lo)) * (height - top - bottom);
  const banded = drawn.filter((p) => p.lift.ci !== null);
  if (banded.length > 0) {
    const upper = banded.map((p) => `${x(p.at).toFixed(1)},${y(p.lift.ci[1]).toFixed(1)}`);
    const lower = banded.map((p) => `${x(p.at).toFixed(1)},${y(p.lift.ci[0]).toFixed(1)}`).reverse();
    svg.append(s('path', { d: `M${upper.join('L')}L${lower.join('L')}Z`, class: 'band' }));
  }
  svg.append(s('line', { x1: left, x2: width - right, y1: y(0), y2: y(0), class: 'zero' }));
  svg.append(s('path', { d: `M${drawn.map((p) => `${x(p.at).toFixed(1)},${y(p.lift.estimate).toFixed(1)}`).join('L')}`, class: 'line' }));
  for (const p of drawn) {
    svg.append(s('circle', { cx: x(p.at), cy: y(p.lift.estimate), r: 3, class: 'point' }, s('title', {}, liftPointText(p.at, p.lift))));
  }
  for (const v of [lo, hi]) svg.append(s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, formatPercent(v)));
  for (const at of last === first ? [first] : [first, last]) {
    svg.append(s('text', { x: x(at), y: height - 6, 'text-anchor': 'middle', class: 'tick' }, `${new Date(at).toISOString().slice(11, 16)}`));
  }
  return svg;
}
