import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';

const BACKENDS = `backends:
  a: { endpoints: [http://127.0.0.1:1] }
  b: { endpoints: [http://127.0.0.1:2] }
routes:
`;

function errors(routes: string): string[] {
  const result = parseConfig(`${BACKENDS}${routes}`, 'gw.yaml', { listDir: () => undefined });
  return result.ok ? [] : result.errors.map((e) => formatConfigError(e));
}

describe('percentages and fractions', () => {
  it('refuses a percentage field given a fraction, with the value it likely meant', () => {
    assert.deepEqual(errors(`  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: a, canary: b, steps: [0.05, 0.5, 100] }
    shadow: { backend: a, percent: 0.2 }
    resilience: { retries: { budgetPercent: 0.25 }, outlierDetection: { maxEjectionPercent: 0.5 } }
`), [
      'gw.yaml:7:64: routes[0].rollout.steps[0]: expected a percentage from 0 to 100; found 0.05, which reads like a fraction: this field is in percent, so write 5 for 5 % (values between 0 and 1 are refused as likely fractions)',
      'gw.yaml:7:70: routes[0].rollout.steps[1]: expected a percentage from 0 to 100; found 0.5, which reads like a fraction: this field is in percent, so write 50 for 50 % (values between 0 and 1 are refused as likely fractions)',
      'gw.yaml:8:36: routes[0].shadow.percent: expected a percentage from 0 to 100; found 0.2, which reads like a fraction: this field is in percent, so write 20 for 20 % (values between 0 and 1 are refused as likely fractions)',
      'gw.yaml:9:45: routes[0].resilience.retries.budgetPercent: expected a percentage from 0 to 100; found 0.25, which reads like a fraction: this field is in percent, so write 25 for 25 % (values between 0 and 1 are refused as likely fractions)',
      'gw.yaml:9:93: routes[0].resilience.outlierDetection.maxEjectionPercent: expected a percentage from 0 to 100; found 0.5, which reads like a fraction: this field is in percent, so write 50 for 50 % (values between 0 and 1 are refused as likely fractions)',
    ]);
  });

  it('refuses a fraction field given a percentage, and 1 where 1 turns the check off', () => {
    assert.deepEqual(errors(`  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: a, canary: b, steps: [5, 100], analysis: { maxErrorRate: 1, maxDisagreement: 5 }, shadowPhase: { minAgreement: 95 } }
    resilience: { circuitBreaker: { failureRate: 50 } }
`), [
      'gw.yaml:7:99: routes[0].rollout.analysis.maxErrorRate: found 1, which would let every canary request fail, so the check could never fail; if you meant 1 %, write 0.01',
      'gw.yaml:7:119: routes[0].rollout.analysis.maxDisagreement: expected a fraction from 0 to 1, such as 0.05 for 5%; found 5, which reads like a percentage: this field is a fraction, so write 0.05 for 5 %',
      'gw.yaml:7:153: routes[0].rollout.shadowPhase.minAgreement: expected a fraction from 0 to 1, such as 0.95 for 95%; found 95, which reads like a percentage: this field is a fraction, so write 0.95 for 95 %',
      'gw.yaml:8:50: routes[0].resilience.circuitBreaker.failureRate: expected a fraction from 0 to 1, such as 0.5 for 50%; found 50, which reads like a percentage: this field is a fraction, so write 0.5 for 50 %',
    ]);
  });

  it('keeps the plain message outside the ambiguous band, and accepts the documented forms', () => {
    assert.deepEqual(errors(`  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: a, canary: b, steps: [5, 100], analysis: { maxErrorRate: 150 } }
    shadow: { backend: a, percent: 120 }
`), [
      'gw.yaml:7:99: routes[0].rollout.analysis.maxErrorRate: expected a fraction from 0 to 1, such as 0.01 for 1%; found 150',
      'gw.yaml:8:36: routes[0].shadow.percent: expected a percentage from 0 to 100; found 120',
    ]);
    assert.deepEqual(errors(`  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: a, canary: b, weight: 0, steps: [1, 5, 100], analysis: { maxErrorRate: 0.01, maxDisagreement: 0.99 } }
    shadow: { backend: a, percent: 100 }
    resilience: { retries: { budgetPercent: 0 }, circuitBreaker: { failureRate: 1 } }
`), []);
  });
});
