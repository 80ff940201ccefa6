/* global document */
// Small DOM and SVG builders: every chart on the page is drawn here by hand.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An HTML element: attributes (class, data-*, on*) and children (strings or nodes). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
}

/** A line of values (nulls leave gaps), scaled to its own range; 0 at the bottom when min ≥ 0. */
export function sparkline(values, { width = 120, height = 28, max, label = '' } = {}) {
  const known = values.filter((v) => v !== null && Number.isFinite(v));
  const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'spark', role: 'img', 'aria-label': label });
  if (known.length === 0) return svg;
  const top = max ?? Math.max(...known, 1e-9);
  const bottom = Math.min(0, ...known);
  const x = (i) => (values.length <= 1 ? width : (i / (values.length - 1)) * (width - 2) + 1);
  const y = (v) => height - 2 - ((v - bottom) / (top - bottom || 1)) * (height - 4);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  svg.append(s('path', { d, class: 'line' }));
  return svg;
}

/**
 * Points with error bars on a shared horizontal axis: rows [{label, estimate, ci: [lo, hi] | null}].
 * zero: draw a line at 0 (for differences and lifts). format: tick labels.
 */
export function intervalPlot(rows, { zero = false, format = String, label = '' } = {}) {
  const rowHeight = 26;
  const left = 110;
  const right = 20;
  const width = 420;
  const height = rows.length * rowHeight + 24;
  const values = rows.flatMap((r) => (r.ci ? [r.ci[0], r.ci[1], r.estimate] : [r.estimate])).filter(Number.isFinite);
  if (zero) values.push(0);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi === lo) { lo -= Math.abs(lo) * 0.1 || 1; hi += Math.abs(hi) * 0.1 || 1; }
  const pad = (hi - lo) * 0.08;
  lo -= pad; hi += pad;
  const x = (v) => left + ((v - lo) / (hi - lo)) * (width - left - right);
  const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'interval-plot', role: 'img', 'aria-label': label });
  const axisY = height - 18;
  svg.append(s('line', { x1: left, x2: width - right, y1: axisY, y2: axisY, class: 'axis' }));
  for (const t of [lo + pad, (lo + hi) / 2, hi - pad]) {
    svg.append(s('text', { x: x(t), y: height - 4, class: 'tick', 'text-anchor': 'middle' }, format(t)));
  }
  if (zero && 0 >= lo && 0 <= hi) svg.append(s('line', { x1: x(0), x2: x(0), y1: 4, y2: axisY, class: 'zero' }));
  rows.forEach((r, i) => {
    const cy = 14 + i * rowHeight;
    svg.append(s('text', { x: left - 8, y: cy + 4, 'text-anchor': 'end', class: 'row-label' }, r.label));
    if (r.ci) {
      svg.append(s('line', { x1: x(r.ci[0]), x2: x(r.ci[1]), y1: cy, y2: cy, class: `bar ${r.tone ?? ''}` }));
      for (const end of r.ci) svg.append(s('line', { x1: x(end), x2: x(end), y1: cy - 5, y2: cy + 5, class: `bar ${r.tone ?? ''}` }));
    }
    if (Number.isFinite(r.estimate)) svg.append(s('circle', { cx: x(r.estimate), cy, r: 4, class: `point ${r.tone ?? ''}` }));
  });
  return svg;
}

/** A horizontal progress bar, value of target. */
export function progressBar(value, target, label) {
  const share = target > 0 ? Math.min(1, value / target) : 0;
  const fill = h('div', { class: 'fill' });
  // Through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
  fill.style.width = `${(share * 100).toFixed(1)}%`;
  return h('div', { class: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuenow': value, 'aria-valuemax': target }, fill);
}
