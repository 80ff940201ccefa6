import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatResults } from '../../../cli/experiments-table.js';
import { computeResults } from '../../../gateway/experiments/statistics/results.js';
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
});
