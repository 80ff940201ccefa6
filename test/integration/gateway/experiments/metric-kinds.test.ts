/**
 * A capped, CUPED-adjusted revenue, sessions, and revenue per session, through a gateway and
 * Redis: a covariate posted before its units are routed, units routed by the gateway, outcomes
 * through the API, and the results checked against a direct computation on the same per-unit data.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { mean, sampleCovariance, sampleVariance } from 'simple-statistics';
import type { ExperimentReport } from '../../../../gateway/experiments/service.js';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { until } from '../../../helpers/process.js';
import { deleteKeys, REDIS_URL, redisSkip } from '../../../helpers/redis.js';
import { assertClose } from '../../../unit/gateway/experiments/assert-close.js';

const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;
const skip = await redisSkip();
const UNITS = 24;

const CONFIG = (a: string, b: string) => `
store: { redis: "${REDIS_URL}", keyPrefix: "${PREFIX}" }
backends:
  shop-v1: { endpoints: [${a}] }
  shop-v2: { endpoints: [${b}] }
routes:
  - name: shop
    match: { pathPrefix: /shop }
    experiment:
      id: kinds-e2e
      unit: header:x-user-id
      variants: [{ name: control, backend: shop-v1, weight: 50 }, { name: treatment, backend: shop-v2, weight: 50 }]
      metrics:
        - { name: revenue, kind: mean, cap: { percentile: 0.9 }, cuped: { covariate: pre_revenue } }
        - { name: sessions, kind: mean }
        - { name: revenue_per_session, kind: ratio, numerator: revenue, denominator: sessions }
        - { name: pre_revenue, kind: covariate }
`;

/** Units u0..u9 spend 10..100 (the others nothing); everyone has 1 to 3 sessions and a pre-period spend. */
const revenueOf = (i: number) => (i < 10 ? 10 * (i + 1) : 0);
const sessionsOf = (i: number) => 1 + (i % 3);
const preRevenueOf = (i: number) => (i < 10 ? 8 * (i + 1) + (i % 2) : i);
/** R's quantile(c(10, 20, ..., 100), 0.9): h = 9 × 0.9 = 8.1, so 90 + 0.1 × (100 − 90). */
const CAP = 91;

describe('ratio metrics, CUPED and capping, through a gateway and Redis', { skip }, () => {
  let a: EchoUpstream;
  let b: EchoUpstream;
  let gw: TestGateway;
  before(async () => {
    [a, b] = await Promise.all([startEchoUpstream('v1'), startEchoUpstream('v2')]);
    gw = await startTestGateway(CONFIG(a.url, b.url));
  });
  after(async () => {
    await gw.stop();
    await Promise.all([a.close(), b.close(), deleteKeys(PREFIX)]);
  });

  const outcomes = `/v1/experiments/kinds-e2e/outcomes`;
  const post = async (list: { unit: string; metric: string; value: number }[]) => {
    const res = await postJson(`${gw.adminUrl}${outcomes}`, { outcomes: list });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  const results = async () => (await getJson(`${gw.adminUrl}/v1/experiments/kinds-e2e/results`)).body as ExperimentReport;

  it('reports the capped units, the delta-method ratio and the CUPED adjustment as computed directly from the units', async () => {
    const units = Array.from({ length: UNITS }, (_, i) => `user-${i}`);
    // The covariate is measured before exposure: posted before the units are routed.
    await post(units.map((unit, i) => ({ unit, metric: 'pre_revenue', value: preRevenueOf(i) })));
    const arm = new Map<number, string>();
    for (const [i, unit] of units.entries()) {
      const res = await fetch(`${gw.url}/shop`, { headers: { 'x-user-id': unit } });
      arm.set(i, ((await res.json()) as { upstream: string }).upstream === 'v2' ? 'treatment' : 'control');
    }
    await until(async () => (await results()).variants.reduce((s, v) => s + v.exposures, 0) === UNITS, 'every unit exposed', 5000);
    await post(units.flatMap((unit, i) => [
      ...(revenueOf(i) > 0 ? [{ unit, metric: 'revenue', value: revenueOf(i) }] : []),
      { unit, metric: 'sessions', value: sessionsOf(i) },
    ]));

    const refused = await postJson(`${gw.adminUrl}${outcomes}`, { unit: 'user-1', metric: 'revenue_per_session', value: 3 });
    assert.deepEqual([refused.status, refused.body], [400, {
      code: 'INVALID_OUTCOME',
      error: "metric: 'revenue_per_session' is a ratio of 'revenue' and 'sessions'; expected an outcome for one of those; received 'revenue_per_session'",
    }]);

    const report = await results();
    assert.deepEqual(report.metrics.map((m) => [m.name, m.kind]), [['revenue', 'mean'], ['sessions', 'mean'], ['revenue_per_session', 'ratio']]);
    const indices = (variant: string) => [...arm].filter(([, v]) => v === variant).map(([i]) => i);
    const capped = (i: number) => Math.min(revenueOf(i), CAP);
    const [revenue, , ratio] = report.metrics;

    const topArm = arm.get(9)!;
    assert.deepEqual(revenue!.capping, { method: 'percentile', percentile: 0.9, cap: CAP, cappedUnits: { control: topArm === 'control' ? 1 : 0, treatment: topArm === 'treatment' ? 1 : 0 } });

    // Ratio: Σ capped revenue / Σ sessions per arm (capping a part caps it in the ratio too).
    for (const variant of ['control', 'treatment']) {
      const own = indices(variant);
      const expected = own.reduce((s, i) => s + capped(i), 0) / own.reduce((s, i) => s + sessionsOf(i), 0);
      assertClose(ratio!.variants.find((v) => v.variant === variant)!.mean, expected, 1e-12, `${variant} revenue per session`);
    }
    assert.deepEqual(ratio!.ratio, { numerator: 'revenue', denominator: 'sessions' });
    assert.equal(ratio!.comparisons[0]!.test?.method, 'welch-t');

    // CUPED: θ pooled within arms, Y − θ(X − X̄), on the capped revenue.
    const y = (v: string) => indices(v).map(capped);
    const x = (v: string) => indices(v).map(preRevenueOf);
    const within = (f: (v: string) => number) => f('control') + f('treatment');
    const theta = within((v) => sampleCovariance(x(v), y(v)) * (y(v).length - 1)) / within((v) => sampleVariance(x(v)) * (x(v).length - 1));
    const xBar = mean([...x('control'), ...x('treatment')]);
    const adjusted = (v: string) => y(v).map((yi, k) => yi - theta * (x(v)[k]! - xBar));
    const cuped = revenue!.comparisons[0]!;
    assertClose(cuped.cuped?.theta, theta, 1e-9, 'theta');
    assertClose(cuped.difference.estimate, mean(adjusted('treatment')) - mean(adjusted('control')), 1e-9, 'adjusted difference');
    assertClose(cuped.cuped?.unadjustedDifference, mean(y('treatment')) - mean(y('control')), 1e-9, 'unadjusted difference');
    const varianceOfDifference = (f: (v: string) => number[]) => within((v) => sampleVariance(f(v)) / f(v).length);
    assertClose(cuped.cuped?.varianceReduction, 1 - varianceOfDifference(adjusted) / varianceOfDifference(y), 1e-9, 'variance reduction');
  });
});
