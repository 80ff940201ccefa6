import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeResults } from '../../../../../gateway/experiments/statistics/results.js';
import type { ExperimentDefinition } from '../../../../../gateway/experiments/statistics/types.js';
import type { ExperimentSummary, MetricMoments } from '../../../../../gateway/experiments/store/store.js';

const definition: ExperimentDefinition = {
  id: 'checkout',
  variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }],
  metrics: [
    { name: 'clicked', kind: 'proportion', role: 'primary' },
    { name: 'latency_ms', kind: 'mean', goal: 'decrease', role: 'guardrail' },
  ],
};

/** 1000 units per arm; only the converted units are posted, as a client would. */
function rate(successes: number): MetricMoments {
  return { n: successes, mean: 1, variance: 0, sum: successes };
}

function summary(latency: { control: number; treatment: number }): ExperimentSummary {
  const ms = (mean: number): MetricMoments => ({ n: 1000, mean, variance: 400, sum: 1000 * mean });
  return {
    variants: {
      control: { exposures: 1000, metrics: { clicked: rate(100), latency_ms: ms(latency.control) } },
      treatment: { exposures: 1000, metrics: { clicked: rate(150), latency_ms: ms(latency.treatment) } },
    },
  };
}

// mde 0.5: the planned size (about 700 per arm) is reached, so a better treatment may ship.
const options = { mde: 0.5 };

describe('guardrail metrics', () => {
  it('a significant harm on a guardrail blocks "ship" and says which metric, the estimate, the interval and p', () => {
    // latency +3 ms with sd 20 over 1000 units: t = 3.354, p = 0.000811 (Welch, df 1998); clicked 15 % vs 10 %: z = 3.381, p = 0.000723.
    const results = computeResults(definition, summary({ control: 100, treatment: 103 }), options);
    const [guard] = results.guardrails;
    assert.equal(results.guardrails.length, 1);
    assert.equal(guard!.metric, 'latency_ms');
    assert.equal(guard!.variant, 'treatment');
    assert.equal(guard!.harmed, true);
    assert.equal(guard!.pValue!.toPrecision(3), '0.000811');
    assert.equal(guard!.summary, 'latency_ms (lower is better): treatment − control +3 [+1.25, +4.75], lift +3 % [+1.24 %, +4.8 %], p = 0.000811');
    assert.equal(results.recommendation.action, 'keep control');
    assert.equal(results.recommendation.variant, null);
    assert.equal(results.recommendation.reason,
      'Shipping is blocked by a guardrail: treatment is significantly better on clicked (+50 % relative, adjusted p = 0.000723) but significantly worse on guardrail '
      + 'latency_ms (lower is better): treatment − control +3 [+1.25, +4.75], lift +3 % [+1.24 %, +4.8 %], p = 0.000811. '
      + 'A significant harm on a guardrail (two-sided test at alpha, not corrected) blocks "ship".');
    assert.ok(results.warnings.includes(`Guardrail harmed: ${guard!.summary}; this blocks shipping treatment.`));
    // The guardrail is out of the family: one corrected comparison, and its own p is its adjusted p.
    assert.deepEqual(results.correction, { method: 'holm', comparisons: 1 });
    const latency = results.metrics[1]!;
    assert.equal(latency.role, 'guardrail');
    assert.equal(latency.comparisons[0]!.adjustedPValue, latency.comparisons[0]!.test!.pValue);
    assert.equal(latency.comparisons[0]!.verdict, 'worse');
  });

  it('a guardrail that improves, or moves within its noise, does not block', () => {
    for (const treatment of [97, 100.5]) {
      const results = computeResults(definition, summary({ control: 100, treatment }), options);
      assert.equal(results.guardrails[0]!.harmed, false, `latency ${treatment}`);
      assert.equal(results.recommendation.action, 'ship', `latency ${treatment}`);
      assert.equal(results.recommendation.variant, 'treatment');
      assert.ok(!results.warnings.some((w) => w.startsWith('Guardrail harmed')));
    }
  });

  it('with two better treatments, ships the one that harms no guardrail', () => {
    const three: ExperimentDefinition = { ...definition, variants: [{ name: 'control', weight: 34 }, { name: 'fast', weight: 33 }, { name: 'slow', weight: 33 }] };
    const ms = (mean: number): MetricMoments => ({ n: 1000, mean, variance: 400, sum: 1000 * mean });
    const data: ExperimentSummary = {
      variants: {
        control: { exposures: 1000, metrics: { clicked: rate(100), latency_ms: ms(100) } },
        fast: { exposures: 1000, metrics: { clicked: rate(140), latency_ms: ms(100) } },
        slow: { exposures: 1000, metrics: { clicked: rate(170), latency_ms: ms(104) } },
      },
    };
    const results = computeResults(three, data, { mde: 0.5 });
    assert.deepEqual(results.guardrails.map((g) => [g.variant, g.harmed]), [['fast', false], ['slow', true]]);
    assert.equal(results.recommendation.action, 'ship');
    assert.equal(results.recommendation.variant, 'fast', 'slow has the larger lift but harms latency');
  });
});
