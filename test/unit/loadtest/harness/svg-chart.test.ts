import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineChart, niceStep } from '../../../../loadtest/harness/svg-chart.js';

describe('SVG line chart', () => {
  it('picks round tick steps', () => {
    assert.deepEqual([10, 7, 230, 0.9, 0].map((max) => niceStep(max)), [2, 2, 50, 0.2, 1]);
  });

  it('writes exact SVG: grid, ticks, axes, labels, a line broken where a value is missing, a legend', () => {
    // Plot area 120 × 30 px at (64, 46): x 0..5 → 64..184, y 0..10 → 76..46.
    const svg = lineChart({
      title: 'p99 <ms>',
      xLabel: 'seconds',
      yLabel: 'ms',
      width: 200,
      height: 120,
      series: [{ name: 'p99', color: '#d62728', points: [[0, 0], [2, 10], [4, NaN], [5, 5]] }],
    });
    const expected = [
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120" font-family="sans-serif" font-size="11">',
      '<rect width="200" height="120" fill="#ffffff"/>',
      '<text x="100" y="17" text-anchor="middle" font-size="13">p99 &lt;ms&gt;</text>',
      ...[0, 2, 4, 6, 8, 10].flatMap((y) => [
        `<line x1="64" y1="${76 - 3 * y}" x2="184" y2="${76 - 3 * y}" stroke="#e5e5e5"/>`,
        `<text x="58" y="${80 - 3 * y}" text-anchor="end">${y}</text>`,
      ]),
      ...[0, 1, 2, 3, 4, 5].map((x) => `<text x="${64 + 24 * x}" y="92" text-anchor="middle">${x}</text>`),
      '<line x1="64" y1="76" x2="184" y2="76" stroke="#333333"/>',
      '<line x1="64" y1="46" x2="64" y2="76" stroke="#333333"/>',
      '<text x="124" y="112" text-anchor="middle">seconds</text>',
      '<text x="14" y="61" text-anchor="middle" transform="rotate(-90 14 61)">ms</text>',
      '<path d="M64 76L112 46M184 61" fill="none" stroke="#d62728" stroke-width="1.5"/>',
      '<rect x="72" y="32" width="10" height="3" fill="#d62728"/>',
      '<text x="86" y="36">p99</text>',
      '</svg>',
      '',
    ].join('\n');
    assert.equal(svg, expected);
  });

  it('shades a band with its label', () => {
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', width: 200, height: 120, bands: [{ from: 1, to: 3, label: '10× spike' }], series: [{ name: 's', color: '#000', points: [[0, 1], [5, 2]] }] });
    assert.ok(svg.includes('<rect x="88" y="46" width="48" height="30" fill="#f3e6c8"/>\n<text x="112" y="58" text-anchor="middle" fill="#7a5a00">10× spike</text>'), svg);
  });
});
