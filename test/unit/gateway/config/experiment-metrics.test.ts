import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';

const config = (metrics: string, primary = '') => `backends:
  b: { endpoints: [http://10.0.0.1:80] }
routes:
  - name: r
    match: { pathPrefix: / }
    experiment:
      id: e
      unit: header:x-user-id
      variants: [{ name: control, backend: b, weight: 50 }, { name: t, backend: b, weight: 50 }]${primary}
      metrics:
${metrics}`;

function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'gw.yaml');
  return result.ok ? [] : result.errors.map((e) => formatConfigError(e));
}

describe('experiment metric kinds in the config', () => {
  it('accepts a ratio of two mean metrics, CUPED on a covariate, and both kinds of cap', () => {
    const result = parseConfig(config(`        - { name: revenue, kind: mean, cap: { percentile: 0.99 }, cuped: { covariate: pre_revenue } }
        - { name: sessions, kind: mean, cap: { value: 50 } }
        - { name: revenue_per_session, kind: ratio, numerator: revenue, denominator: sessions }
        - { name: pre_revenue, kind: covariate }
`), 'gw.yaml');
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(result.config.routes[0]!.experiment!.metrics.map((m) => [m.name, m.kind, m.cap, m.cuped, m.numerator, m.denominator]), [
      ['revenue', 'mean', { percentile: 0.99 }, { covariate: 'pre_revenue' }, undefined, undefined],
      ['sessions', 'mean', { value: 50 }, undefined, undefined, undefined],
      ['revenue_per_session', 'ratio', undefined, undefined, 'revenue', 'sessions'],
      ['pre_revenue', 'covariate', undefined, undefined, undefined, undefined],
    ]);
  });

  it('names every broken reference between metrics, with where it is', () => {
    assert.deepEqual(errorsOf(config(`        - { name: clicked, kind: proportion, cap: { value: 1 }, cuped: { covariate: pre } }
        - { name: rps, kind: ratio, numerator: revenue, denominator: clicked }
        - { name: half, kind: ratio, numerator: clicked }
        - { name: pre, kind: covariate, numerator: clicked }
        - { name: spend, kind: mean, missing: exclude, cuped: { covariate: clicked } }
`, '\n      primaryMetric: pre')), [
      "gw.yaml:10:22: routes[0].experiment.primaryMetric: names metric 'pre' of kind covariate, which is not analysed on its own; name the metric it adjusts",
      "gw.yaml:12:46: routes[0].experiment.metrics[0].cap: is set on metric 'clicked' of kind proportion; it applies to kind mean only",
      "gw.yaml:12:65: routes[0].experiment.metrics[0].cuped: is set on metric 'clicked' of kind proportion; it applies to kind mean only",
      "gw.yaml:13:48: routes[0].experiment.metrics[1].numerator: names metric 'revenue', which the experiment does not declare; expected a metric of kind mean (found: spend)",
      "gw.yaml:13:70: routes[0].experiment.metrics[1].denominator: names metric 'clicked' of kind proportion; expected a metric of kind mean",
      'gw.yaml:14:11: routes[0].experiment.metrics[2].denominator: is required; a ratio needs a denominator: the name of a metric of kind mean',
      "gw.yaml:14:49: routes[0].experiment.metrics[2].numerator: names metric 'clicked' of kind proportion; expected a metric of kind mean",
      "gw.yaml:15:52: routes[0].experiment.metrics[3].numerator: is set on metric 'pre' of kind covariate; it applies to kind ratio only",
      "gw.yaml:16:56: routes[0].experiment.metrics[4].cuped: needs missing: zero on metric 'spend'; CUPED adjusts every analysed unit, and missing: exclude leaves out the units without an outcome",
      "gw.yaml:16:76: routes[0].experiment.metrics[4].cuped.covariate: names metric 'clicked' of kind proportion; expected a metric of kind covariate",
    ]);
  });

  it('refuses a cap that is neither a positive value nor a percentile strictly between 0 and 1', () => {
    const rule = "{value: N} (a fixed cap, above 0) or {percentile: P} (0 < P < 1, of the pooled per-unit values)";
    assert.deepEqual(errorsOf(config(`        - { name: a, kind: mean, cap: { percentile: 1 } }
        - { name: b, kind: mean, cap: 100 }
`)), [
      `gw.yaml:11:53: routes[0].experiment.metrics[0].cap.percentile: expected ${rule}; found 1`,
      `gw.yaml:12:39: routes[0].experiment.metrics[1].cap: expected ${rule}; found 100`,
    ]);
  });
});
