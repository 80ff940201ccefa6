import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatResults } from '../../../cli/experiments-table.js';
import { computeResults } from '../../../gateway/experiments/statistics/results.js';
import { createMemoryExperimentStore } from '../../../gateway/experiments/store/memory.js';
import type { ExperimentSummary, MetricMoments } from '../../../gateway/experiments/store/store.js';

const rate = (successes: number): MetricMoments => ({ n: successes, mean: 1, variance: 0, sum: successes });
const ms = (mean: number): MetricMoments => ({ n: 1000, mean, variance: 400, sum: 1000 * mean });

describe('the experiments results table', () => {
  it('names each metric\'s role, the correction, the chance to beat control and every guardrail', () => {
    const summary: ExperimentSummary = {
      variants: {
        control: { exposures: 1000, metrics: { clicked: rate(100), latency_ms: ms(100) } },
        treatment: { exposures: 1000, metrics: { clicked: rate(150), latency_ms: ms(103) } },
      },
    };
    const results = computeResults({
      id: 'checkout', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }],
      metrics: [{ name: 'clicked', kind: 'proportion', role: 'primary' }, { name: 'latency_ms', kind: 'mean', goal: 'decrease', role: 'guardrail' }],
    }, summary, { mde: 0.5, correction: 'benjamini-hochberg' });
    const lines = formatResults({ ...results, route: 'checkout', stopped: false }).split('\n');
    assert.equal(lines[1], 'fixed-horizon intervals at 95%; alpha 0.05; correction benjamini-hochberg over 1 comparison(s) (guardrails not corrected)');
    assert.ok(lines.includes('clicked (proportion, higher is better, primary)'));
    assert.ok(lines.includes('latency_ms (mean, lower is better, guardrail)'));
    // Chance to beat control on clicked: λ = 0.15/0.1 − 1 = 0.5, var = 0.1275/(1000·0.01) + 0.09·0.0225/(1000·1e-4) = 0.033, Φ(0.5/0.18166) = 0.99704.
    assert.match(lines.find((l) => l.startsWith('  treatment vs control: difference +0.05'))!, /; significant: better; chance to beat control 99\.7%$/);
    assert.ok(lines.includes('Chance to beat control (Bayesian, flat prior, normal approximation): beside each comparison; it does not decide the verdict.'));
    assert.ok(lines.includes('Guardrail HARMED: latency_ms (lower is better): treatment − control +3 [+1.25, +4.75], lift +3 % [+1.24 %, +4.8 %], p = 0.000811'));
    assert.match(lines.find((l) => l.startsWith('Recommendation:'))!, /^Recommendation: keep control\. Shipping is blocked by a guardrail: /);
  });

  it('says what was capped and what CUPED removed, under the metric and under each comparison', async () => {
    const store = createMemoryExperimentStore();
    const rows = [
      ['control', 3, 2, 1], ['control', 5, 4, 2], ['control', 4, 3, 1], ['control', 12, 6, 3],
      ['treatment', 6, 3, 2], ['treatment', 9, 5, 2], ['treatment', 7, 4, 1], ['treatment', 15, 7, 3], ['treatment', 20, 9, 4],
    ] as const;
    for (const [i, [variant, revenue, pre, sessions]] of rows.entries()) {
      await store.recordExposure('shop', variant, `u${i}`);
      await store.recordOutcomes('shop', [['revenue', revenue], ['pre', pre], ['sessions', sessions]].map(([metric, value]) => ({ unit: `u${i}`, variant, metric: metric as string, value: value as number })));
    }
    const results = computeResults({
      id: 'shop', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }],
      metrics: [
        { name: 'revenue', kind: 'mean', cap: { value: 10 }, cuped: { covariate: 'pre' } }, { name: 'pre', kind: 'covariate' },
        { name: 'sessions', kind: 'mean' }, { name: 'rps', kind: 'ratio', numerator: 'revenue', denominator: 'sessions' },
      ],
    }, await store.summary('shop'), { units: await store.exportUnits('shop') });
    const lines = formatResults({ ...results, route: 'shop', stopped: false }).split('\n');
    const revenue = lines.indexOf('revenue (mean, higher is better, primary)');
    assert.ok(revenue > 0, lines.join('\n'));
    assert.equal(lines[revenue + 4], '  capped at 10 (fixed); units capped: control 1, treatment 2');
    assert.ok(lines[revenue + 5]!.startsWith('  treatment vs control: difference '), lines[revenue + 5]);
    const cuped = results.metrics[0]!.comparisons[0]!.cuped!;
    assert.ok(cuped.varianceReduction > 0);
    assert.equal(lines[revenue + 6], `    CUPED on pre: variance reduction ${(cuped.varianceReduction * 100).toFixed(2)} %, theta ${Number(cuped.theta.toPrecision(4))}, unadjusted difference ${Number(cuped.unadjustedDifference.toPrecision(4))}`);
    assert.ok(lines.includes('rps (ratio revenue/sessions, higher is better)'));
    assert.equal(lines.filter((l) => l.includes('CUPED on')).length, 1, 'only the CUPED metric has the line');
  });
});
