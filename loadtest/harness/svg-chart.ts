/**
 * A line chart as a standalone SVG file: no dependencies, the same bytes for the same input
 * (numbers rounded to 0.1 px), so reports diff cleanly and tests can compare exact output.
 */

export interface Series {
  readonly name: string;
  readonly color: string;
  /** [x, y] points; points whose y is not finite (no data that second) break the line. */
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
  /** Shaded x ranges with a label, e.g. the spike window. */
  readonly bands?: readonly { readonly from: number; readonly to: number; readonly label: string }[];
}

const MARGIN = { left: 64, right: 16, top: 46, bottom: 44 };

/** A round step (1, 2 or 5 × 10^k) that cuts 0..max into about `count` intervals. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= raw)! * magnitude;
  return step;
}

const r1 = (n: number) => String(Math.round(n * 10) / 10);
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A tick label without floating-point noise (0.30000000000000004 → 0.3). */
const tickLabel = (n: number) => String(Number(n.toPrecision(6)));

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 320;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const finite = options.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xMax = Math.max(1, ...finite.map(([x]) => x));
  const yStep = niceStep(Math.max(0, ...finite.map(([, y]) => y)));
  const yMax = yStep * Math.max(1, Math.ceil(Math.max(0, ...finite.map(([, y]) => y)) / yStep));
  const xStep = niceStep(xMax, 6);
  const px = (x: number) => MARGIN.left + (x / xMax) * plotW;
  const py = (y: number) => MARGIN.top + plotH - (y / yMax) * plotH;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="17" text-anchor="middle" font-size="13">${escape(options.title)}</text>`);
  for (const band of options.bands ?? []) {
    out.push(`<rect x="${r1(px(band.from))}" y="${MARGIN.top}" width="${r1(px(band.to) - px(band.from))}" height="${plotH}" fill="#f3e6c8"/>`);
    out.push(`<text x="${r1((px(band.from) + px(band.to)) / 2)}" y="${MARGIN.top + 12}" text-anchor="middle" fill="#7a5a00">${escape(band.label)}</text>`);
  }
  for (let y = 0; y <= yMax + yStep / 2; y += yStep) {
    out.push(`<line x1="${MARGIN.left}" y1="${r1(py(y))}" x2="${width - MARGIN.right}" y2="${r1(py(y))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${r1(py(y) + 4)}" text-anchor="end">${tickLabel(y)}</text>`);
  }
  for (let x = 0; x <= xMax + xStep / 2; x += xStep) {
    out.push(`<text x="${r1(px(x))}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${tickLabel(x)}</text>`);
  }
  out.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${width - MARGIN.right}" y2="${MARGIN.top + plotH}" stroke="#333333"/>`);
  out.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="#333333"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escape(options.xLabel)}</text>`);
  out.push(`<text x="14" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${MARGIN.top + plotH / 2})">${escape(options.yLabel)}</text>`);
  options.series.forEach((series, i) => {
    // A gap in the data starts a new subpath (M) instead of drawing across it.
    let path = '';
    let pen = false;
    for (const [x, y] of series.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      path += `${pen ? 'L' : 'M'}${r1(px(x))} ${r1(py(y))}`;
      pen = true;
    }
    out.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="1.5"/>`);
    const lx = MARGIN.left + 8 + i * 120;
    out.push(`<rect x="${lx}" y="${MARGIN.top - 14}" width="10" height="3" fill="${series.color}"/>`);
    out.push(`<text x="${lx + 14}" y="${MARGIN.top - 10}">${escape(series.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
