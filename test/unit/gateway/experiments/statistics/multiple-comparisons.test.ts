import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { adjustPValues } from '../../../../../gateway/experiments/statistics/multiple-comparisons.js';
import { computeResults } from '../../../../../gateway/experiments/statistics/results.js';
import type { ExperimentSummary } from '../../../../../gateway/experiments/store/store.js';
import { repoRoot } from '../../../../helpers/repo-root.js';
import { assertClose } from '../assert-close.js';

const R = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/statistics/r.json'), 'utf8')) as {
  pAdjust: { p: number[]; holm: number[]; BH: number[]; none: number[] };
};

describe('multiple comparisons', () => {
  it("holm, benjamini-hochberg and none match R's p.adjust (ties, a p of 1, values capped at 1)", () => {
    const r = R.pAdjust;
    for (const [method, expected] of [['holm', r.holm], ['benjamini-hochberg', r.BH], ['none', r.none]] as const) {
      const adjusted = adjustPValues(method, r.p);
      assert.equal(adjusted.length, expected.length);
      adjusted.forEach((p, i) => assertClose(p, expected[i]!, 1e-12, `${method} p[${i}]`));
      assert.deepEqual(adjustPValues(method, []), []);
    }
  });

  it('an experiment adjusts its primary and secondary comparisons by the method it names, and leaves guardrails out of the family', () => {
    // Three mean metrics over the same arms: two in the family, one guardrail.
    const moments = (mean: number) => ({ n: 100, mean, variance: 4, sum: 100 * mean });
    const summary: ExperimentSummary = {
      variants: {
        control: { exposures: 100, metrics: { a: moments(10), b: moments(10), g: moments(10) } },
        treatment: { exposures: 100, metrics: { a: moments(10.6), b: moments(10.58), g: moments(10.5) } },
      },
    };
    const definition = {
      id: 'e', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }],
      metrics: [{ name: 'a', kind: 'mean' as const }, { name: 'b', kind: 'mean' as const }, { name: 'g', kind: 'mean' as const, role: 'guardrail' as const }],
    };
    const raw = computeResults(definition, summary, { correction: 'none' });
    const p = raw.metrics.map((m) => m.comparisons[0]!.test!.pValue);
    for (const method of ['holm', 'benjamini-hochberg', 'none'] as const) {
      const results = computeResults(definition, summary, { correction: method });
      assert.deepEqual(results.correction, { method, comparisons: 2 });
      const expected = adjustPValues(method, [p[0]!, p[1]!]);
      assert.deepEqual(results.metrics.slice(0, 2).map((m) => m.comparisons[0]!.adjustedPValue), expected, method);
      assert.equal(results.metrics[2]!.comparisons[0]!.adjustedPValue, p[2], `${method}: the guardrail keeps its own p`);
      assert.deepEqual(results.metrics.map((m) => m.role), ['primary', 'secondary', 'guardrail']);
    }
    // p_a = 0.0351, p_b = 0.0416: holm (2·p_a = 0.070) makes a inconclusive; BH (min(2·p_a, p_b) = 0.0416) and none keep it significant.
    assert.equal(computeResults(definition, summary, { correction: 'holm' }).metrics[0]!.comparisons[0]!.significant, false);
    assert.equal(computeResults(definition, summary, { correction: 'benjamini-hochberg' }).metrics[0]!.comparisons[0]!.significant, true);
    assert.equal(computeResults(definition, summary, { correction: 'none' }).metrics[0]!.comparisons[0]!.significant, true);
  });
});
