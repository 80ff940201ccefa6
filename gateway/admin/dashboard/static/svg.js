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

/**
 * Lines over a time window with event markers. lines: [{name, class, points: [{t, v}]}] (t epoch
 * ms, v null for a gap); markers: [{t, label, title, class, key}]; the y axis runs from 0 to `max`
 * or to the largest value. format: the y labels. Each line is a path with data-series=name.
 */
export function timeChart({ from, to, lines, markers = [], max, format = String, label = '' }) {
  const width = 300;
  const height = 130;
  const left = 62;
  const right = 8;
  const top = 16;
  const bottom = 18;
  const values = lines.flatMap((l) => l.points.map((p) => p.v)).filter((v) => v !== null && Number.isFinite(v));
  const yMax = max ?? (Math.max(...values, 0) * 1.1 || 1);
  const x = (t) => left + ((t - from) / (to - from || 1)) * (width - left - right);
  const y = (v) => height - bottom - (Math.min(v, yMax) / yMax) * (height - top - bottom);
  const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'time-chart', role: 'img', 'aria-label': label });
  svg.append(
    s('line', { x1: left, x2: width - right, y1: y(0), y2: y(0), class: 'axis' }),
    s('line', { x1: left, x2: width - right, y1: y(yMax), y2: y(yMax), class: 'grid' }),
    s('text', { x: left - 4, y: y(yMax) + 4, 'text-anchor': 'end', class: 'tick' }, format(yMax)),
    s('text', { x: left - 4, y: y(0) + 4, 'text-anchor': 'end', class: 'tick' }, format(0)));
  for (const [t, anchor] of [[from, 'start'], [(from + to) / 2, 'middle'], [to, 'end']]) {
    svg.append(s('text', { x: x(t), y: height - 4, 'text-anchor': anchor, class: 'tick' }, clock(t)));
  }
  // Newest first: a label that would overlap a newer one is left off (the line and its tooltip stay).
  let lastLabelX = Infinity;
  for (const m of [...markers].sort((a, b) => b.t - a.t)) {
    if (m.t < from || m.t > to) continue;
    const mx = x(m.t);
    const labelled = lastLabelX - mx >= 48;
    if (labelled) lastLabelX = mx;
    const anchor = mx > width - right - 24 ? 'end' : mx < left + 24 ? 'start' : 'middle';
    svg.append(s('g', { class: `marker ${m.class ?? ''}`, 'data-marker': m.key },
      s('title', {}, m.title ?? m.label),
      s('line', { x1: mx.toFixed(1), x2: mx.toFixed(1), y1: top - 2, y2: y(0) }),
      labelled ? s('text', { x: mx.toFixed(1), y: top - 5, 'text-anchor': anchor }, m.label) : null));
  }
  for (const line of lines) {
    let d = '';
    let pen = false;
    for (const p of line.points) {
      if (p.v === null || !Number.isFinite(p.v) || p.t < from) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
      pen = true;
    }
    // A lone point draws no segment: a dot shows it.
    const dots = line.points.filter((p, i, all) => p.v !== null && Number.isFinite(p.v) && (all[i - 1]?.v ?? null) === null && (all[i + 1]?.v ?? null) === null);
    svg.append(s('path', { d, class: `line ${line.class ?? ''}`, 'data-series': line.name }),
      ...dots.map((p) => s('circle', { cx: x(p.t), cy: y(p.v), r: 1.8, class: `dot ${line.class ?? ''}` })));
  }
  return svg;
}

function clock(t) {
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
