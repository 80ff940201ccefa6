import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';

const config = (experiment: string) => `backends:\n  b: { endpoints: [http://10.0.0.1:80] }\nroutes:
  - name: r
    match: { pathPrefix: /r }
    experiment:
      id: e
      unit: header:x-user
      variants: [{ name: control, backend: b, weight: 50 }, { name: t, backend: b, weight: 50 }]
${experiment}`;

function errors(experiment: string): string[] {
  const result = parseConfig(config(experiment), 'gw.yaml');
  return result.ok ? [] : result.errors.map((e) => formatConfigError(e));
}

describe('experiment config: metric roles, multiple comparisons, history interval', () => {
  it('defaults: role secondary, holm, a sample every 5 minutes', () => {
    const result = parseConfig(config('      metrics: [{ name: clicked, kind: proportion }]\n'), 'gw.yaml');
    assert.ok(result.ok);
    const e = result.config.routes[0]!.experiment!;
    assert.equal(e.metrics[0]!.role, 'secondary');
    assert.equal(e.multipleComparisons, 'holm');
    assert.equal(e.historyInterval, 300_000);
  });

  it('takes the roles, the method and an interval', () => {
    const result = parseConfig(config(`      metrics: [{ name: clicked, kind: proportion, role: primary }, { name: latency, kind: mean, goal: decrease, role: guardrail }]
      multipleComparisons: benjamini-hochberg
      historyInterval: 30s\n`), 'gw.yaml');
    assert.ok(result.ok);
    const e = result.config.routes[0]!.experiment!;
    assert.deepEqual(e.metrics.map((m) => m.role), ['primary', 'guardrail']);
    assert.equal(e.multipleComparisons, 'benjamini-hochberg');
    assert.equal(e.historyInterval, 30_000);
  });

  it('names the field, the expected and the received', () => {
    assert.deepEqual(errors('      metrics: [{ name: clicked, kind: proportion, role: guard }]\n      multipleComparisons: bonferroni\n'), [
      "gw.yaml:10:58: routes[0].experiment.metrics[0].role: expected 'primary', 'secondary' or 'guardrail'; found 'guard'",
      "gw.yaml:11:28: routes[0].experiment.multipleComparisons: expected 'holm', 'benjamini-hochberg' or 'none'; found 'bonferroni'",
    ]);
  });

  it('records the history at most once a second', () => {
    assert.deepEqual(errors('      historyInterval: 500ms\n'), [
      'gw.yaml:10:24: routes[0].experiment.historyInterval: is 500 ms; the results are recorded at most once a second, so it must be at least 1s',
    ]);
  });

  it('one primary, named the same way in both places, and never a guardrail', () => {
    assert.deepEqual(errors('      metrics: [{ name: a, kind: mean, role: primary }, { name: b, kind: mean, role: primary }]\n'), [
      "gw.yaml:10:86: routes[0].experiment.metrics[1].role: metric 'b' is a second primary (the first is 'a'); an experiment has one primary metric: make the others secondary",
    ]);
    assert.deepEqual(errors('      metrics: [{ name: a, kind: mean, role: primary }, { name: b, kind: mean }]\n      primaryMetric: b\n'), [
      "gw.yaml:11:22: routes[0].experiment.primaryMetric: names 'b' but metric 'a' has role primary; name one primary metric, in either place",
    ]);
    assert.deepEqual(errors('      metrics: [{ name: a, kind: mean }, { name: g, kind: mean, role: guardrail }]\n      primaryMetric: g\n'), [
      "gw.yaml:11:22: routes[0].experiment.primaryMetric: names 'g', which has role guardrail; the primary metric decides \"ship\" and a guardrail only blocks it: choose another primary or make 'g' primary",
    ]);
  });

  it('gives a covariate no role: it is read by CUPED only', () => {
    assert.deepEqual(errors('      metrics: [{ name: pre, kind: covariate, role: guardrail }, { name: revenue, kind: mean, cuped: { covariate: pre } }]\n'), [
      "gw.yaml:10:53: routes[0].experiment.metrics[0].role: is guardrail on metric 'pre' of kind covariate, which is not analysed on its own; give the role to the metric it adjusts",
    ]);
  });
});
