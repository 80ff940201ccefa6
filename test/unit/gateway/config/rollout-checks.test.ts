import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';

const yaml = (model: string, rollout: string, extra = '') => `backends:
  a: { endpoints: [http://127.0.0.1:1]${model} }
  b: { endpoints: [http://127.0.0.1:2]${model} }
routes:
  - name: r
    match: { pathPrefix: /r }
    rollout: ${rollout}
${extra}`;

describe('rollout and shadow config checks', () => {
  it('warns when prediction checks are set on backends that give no v2 answers', () => {
    const result = parseConfig(yaml('', '{ strategy: canary, stable: a, canary: b, steps: [10, 100], analysis: { maxDisagreement: 0.1 }, shadowPhase: { minAgreement: 0.9 } }'), 'gw.yaml');
    assert.ok(result.ok);
    assert.deepEqual(result.warnings.map((w) => formatConfigError(w, 'warning')), [
      'gw.yaml:7:103: warning: routes[0].rollout.analysis.maxDisagreement: compares v2 inference answers, but stable or canary is not a model-aware backend (no model:); it will never have data, so the rollout would pause',
      'gw.yaml:7:110: warning: routes[0].rollout.shadowPhase: compares v2 inference answers, but stable or canary is not a model-aware backend (no model:); it will never have data, so the rollout would pause',
    ]);
    const modelAware = parseConfig(yaml(', model: m', '{ strategy: canary, stable: a, canary: b, steps: [10, 100], analysis: { maxDisagreement: 0.1 } }'), 'gw.yaml');
    assert.ok(modelAware.ok);
    assert.deepEqual(modelAware.warnings, []);
  });

  it("a shadow names an existing backend other than the route's own, with its defaults filled in", () => {
    const bad = parseConfig(yaml('', '{ strategy: blueGreen, active: a, preview: b }', '    shadow: { backend: c }\n'), 'gw.yaml');
    assert.ok(!bad.ok);
    assert.match(formatConfigError(bad.errors[0]!), /^gw\.yaml:8:24: routes\[0\]\.shadow\.backend: backend 'c' is not defined/);
    const good = parseConfig(yaml('', '{ strategy: blueGreen, active: a, preview: b }', '    shadow: { backend: b, percent: 5, timeout: 500ms }\n'), 'gw.yaml');
    assert.ok(good.ok);
    assert.deepEqual(good.config.routes[0]!.shadow, { backend: 'b', percent: 5, compare: 'outputs', timeout: 500, maxConcurrent: 32, maxBodyBytes: 1024 * 1024 });
  });
});
