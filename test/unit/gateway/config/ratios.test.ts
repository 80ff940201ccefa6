import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';

const BACKENDS = `backends:
  a: { endpoints: [http://127.0.0.1:1] }
  b: { endpoints: [http://127.0.0.1:2] }
routes:
`;

function check(routes: string): { errors: string[]; warnings: string[] } {
  const result = parseConfig(`${BACKENDS}${routes}`, 'gw.yaml', { listDir: () => undefined });
  return {
    errors: result.ok ? [] : result.errors.map((e) => formatConfigError(e)),
    warnings: result.warnings.map((w) => formatConfigError(w, 'warning')),
  };
}

describe('percentages and fractions', () => {
  it('refuses a fraction in a limit that is a percentage, with the value it likely meant', () => {
    assert.deepEqual(check(`  - name: r
    match: { pathPrefix: /r }
    backend: a
    resilience: { retries: { budgetPercent: 0.25 }, outlierDetection: { maxEjectionPercent: 0.5 } }
`).errors, [
      'gw.yaml:8:45: routes[0].resilience.retries.budgetPercent: expected a percentage from 0 to 100; found 0.25, which reads like a fraction: this field is in percent, so write 25 for 25 % (below 1 % it would mean nothing here)',
      'gw.yaml:8:93: routes[0].resilience.outlierDetection.maxEjectionPercent: expected a percentage from 0 to 100; found 0.5, which reads like a fraction: this field is in percent, so write 50 for 50 % (below 1 % it would mean nothing here)',
    ]);
  });

  it('refuses steps and variant weights that read as fractions as a whole', () => {
    assert.deepEqual(check(`  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: a, canary: b, steps: [0.05, 0.5, 1] }
  - name: e
    match: { pathPrefix: /e }
    experiment: { id: e, unit: "header:x-user", variants: [{ name: control, backend: a, weight: 0.5 }, { name: t, backend: b, weight: 0.5 }] }
`).errors, [
      'gw.yaml:7:75: routes[0].rollout.steps[2]: the last step is 1; steps end at 100 so that a healthy canary is fully promoted; these read like fractions: steps are percentages, so write [5, 50, 100]',
      'gw.yaml:10:49: routes[1].experiment.variants: variant weights add up to 1; they are percentages and must add up to 100; these read like fractions: write 50 and 50',
    ]);
  });

  it('lets a traffic share be below 1 %, and says what it does', () => {
    assert.deepEqual(check(`  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: a, canary: b, weight: 0.2, steps: [1, 100] }
    shadow: { backend: a, percent: 0.5 }
  - name: e
    match: { pathPrefix: /e }
    experiment: { id: e, unit: "header:x-user", variants: [{ name: control, backend: a, weight: 99.99 }, { name: t, backend: b, weight: 0.01 }] }
`), {
      errors: [],
      warnings: [
        'gw.yaml:7:64: warning: routes[0].rollout.weight: sends 0.2 % of traffic to the canary; weights are percentages, so if you meant 20 %, write 20',
        'gw.yaml:8:36: warning: routes[0].shadow.percent: copies 0.5 % of requests to the shadow; if you meant 50 %, write 50',
      ],
    });
  });

  it('refuses a fraction field given a percentage, and 1 where 1 turns the check off', () => {
    assert.deepEqual(check(`  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: a, canary: b, steps: [5, 100], analysis: { maxErrorRate: 1, maxDisagreement: 5 }, shadowPhase: { minAgreement: 95 } }
    resilience: { circuitBreaker: { failureRate: 50 } }
`).errors, [
      'gw.yaml:7:99: routes[0].rollout.analysis.maxErrorRate: found 1, which would let every canary request fail, so the check could never fail; if you meant 1 %, write 0.01',
      'gw.yaml:7:119: routes[0].rollout.analysis.maxDisagreement: expected a fraction from 0 to 1, such as 0.05 for 5%; found 5, which reads like a percentage: this field is a fraction, so write 0.05 for 5 %',
      'gw.yaml:7:153: routes[0].rollout.shadowPhase.minAgreement: expected a fraction from 0 to 1, such as 0.95 for 95%; found 95, which reads like a percentage: this field is a fraction, so write 0.95 for 95 %',
      'gw.yaml:8:50: routes[0].resilience.circuitBreaker.failureRate: expected a fraction from 0 to 1, such as 0.5 for 50%; found 50, which reads like a percentage: this field is a fraction, so write 0.5 for 50 %',
    ]);
  });

  it('keeps the plain message outside the ambiguous band, and accepts the documented forms', () => {
    assert.deepEqual(check(`  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: a, canary: b, steps: [5, 100], analysis: { maxErrorRate: 150 } }
    shadow: { backend: a, percent: 120 }
`).errors, [
      'gw.yaml:7:99: routes[0].rollout.analysis.maxErrorRate: expected a fraction from 0 to 1, such as 0.01 for 1%; found 150',
      'gw.yaml:8:36: routes[0].shadow.percent: expected a percentage from 0 to 100; found 120',
    ]);
    assert.deepEqual(check(`  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: a, canary: b, weight: 0, steps: [1, 5, 100], analysis: { maxErrorRate: 0.01 }, golden: { minScore: 1 } }
    shadow: { backend: a, percent: 100 }
    resilience: { retries: { budgetPercent: 0 }, circuitBreaker: { failureRate: 1 } }
`).errors, []);
  });
});
