import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { mean } from 'simple-statistics';
import type { ExperimentReport } from '../../../../gateway/experiments/service.js';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { until } from '../../../helpers/process.js';
import { deleteKeys, REDIS_URL, redisSkip } from '../../../helpers/redis.js';
import { assertClose } from '../../../unit/gateway/experiments/assert-close.js';

const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;
const skip = await redisSkip();

const CONFIG = (a: string, b: string) => `
store: { redis: "${REDIS_URL}", keyPrefix: "${PREFIX}" }
backends:
  ranker-v1: { endpoints: [${a}] }
  ranker-v2: { endpoints: [${b}] }
routes:
  - name: ranker
    match: { pathPrefix: /rank }
    experiment:
      id: join-e2e
      unit: header:x-user-id
      variants: [{ name: control, backend: ranker-v1, weight: 50 }, { name: treatment, backend: ranker-v2, weight: 50 }]
      metrics: [{ name: revenue, kind: mean }]
`;

describe('outcomes joined on exposure, through a gateway and Redis', { skip }, () => {
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

  const route = async (unit: string): Promise<string> => {
    const res = await fetch(`${gw.url}/rank`, { headers: { 'x-user-id': unit } });
    return ((await res.json()) as { upstream: string }).upstream === 'v2' ? 'treatment' : 'control';
  };
  const post = async (outcomes: { unit: string; value: number }[]) => {
    const res = await postJson(`${gw.adminUrl}/v1/experiments/join-e2e/outcomes`, { outcomes: outcomes.map((o) => ({ ...o, metric: 'revenue' })) });
    assert.equal(res.status, 200);
  };
  const results = async () => (await getJson(`${gw.adminUrl}/v1/experiments/join-e2e/results`)).body as ExperimentReport;
  const exposedTotal = async () => (await results()).variants.reduce((s, v) => s + v.exposures, 0);

  it('analyses exposed units in their first arm, and counts outcomes never exposed and units moved by a weight change', async () => {
    // A unit that posts before it is routed, eight that are routed first, and one never routed.
    await post([{ unit: 'late', value: 7 }]);
    const arm = new Map<string, string>();
    for (let i = 0; i < 8; i++) arm.set(`user-${i}`, await route(`user-${i}`));
    arm.set('late', await route('late'));
    await until(async () => (await exposedTotal()) === 9, 'nine units exposed', 5000);
    const value = new Map<string, number>([...arm.keys()].map((unit, i) => [unit, unit === 'late' ? 7 : i + 1]));
    await post([...arm.keys()].filter((u) => u !== 'late').map((unit) => ({ unit, value: value.get(unit)! })));
    await post([{ unit: 'ghost', value: 60 }, { unit: 'ghost', value: 40 }]);

    // Everyone to treatment: a control unit that comes back is served treatment, and is then in two arms.
    const moved = [...arm].find(([, v]) => v === 'control')![0];
    assert.equal((await postJson(`${gw.adminUrl}/admin/routes/ranker/weights`, { weights: { control: 0, treatment: 100 } })).status, 200);
    assert.equal(await route(moved), 'treatment');
    await until(async () => (await results()).exposureJoin.multiArm.units === 1, 'the moved unit marked multi-arm', 5000);

    await postJson(`${gw.adminUrl}/v1/experiments/join-e2e/stop`, {});
    // After the stop: a new unit is not exposed, and its outcome joins the never-exposed count.
    assert.equal(await route('after-stop'), 'treatment');
    await post([{ unit: 'after-stop', value: 1000 }, { unit: moved, value: 500 }]);

    const report = await results();
    assert.equal(report.stopped, true);
    const analysed = (variant: string) => [...arm].filter(([u, v]) => v === variant && u !== moved).map(([u]) => u);
    const revenue = report.metrics[0]!;
    for (const variant of ['control', 'treatment']) {
      const units = analysed(variant);
      const reported = revenue.variants.find((v) => v.variant === variant)!;
      assert.equal(reported.n, units.length, `${variant} n`);
      if (units.length > 0) assertClose(reported.mean, mean(units.map((u) => value.get(u)!)), 1e-12, `${variant} mean`);
    }
    assert.deepEqual(report.exposureJoin.analysedUnits, { control: analysed('control').length, treatment: analysed('treatment').length });
    assert.deepEqual(report.variants.map((v) => v.exposures), [arm.size - analysed('treatment').length, analysed('treatment').length]);
    assert.deepEqual({ units: report.exposureJoin.neverExposed.units, outcomes: report.exposureJoin.neverExposed.outcomes }, { units: 2, outcomes: 3 });
    assert.deepEqual(report.exposureJoin.multiArm, { units: 1, byVariant: { control: 1, treatment: 0 }, share: 1 / 9 });
    assert.equal(report.exposureJoin.leftOut, '3 outcomes from 2 units never exposed; 1 unit exposed to more than one arm');
    assert.ok(report.warnings.some((w) => w.startsWith('3 outcomes from 2 units never exposed (')), report.warnings.join('\n'));
    assert.ok(report.warnings.some((w) => w.startsWith('1 unit exposed to more than one arm (11.1 % of exposed units)')), report.warnings.join('\n'));
    assert.ok(report.warnings.some((w) => w.endsWith('Units the new split moves to another arm are counted as exposed to more than one arm and left out of the analysis.')), report.warnings.join('\n'));

    const units = ((await getJson(`${gw.adminUrl}/v1/experiments/join-e2e/export`)).body as { units: { unit: string; exposed: boolean; multiArm: boolean }[] }).units;
    assert.deepEqual(units.filter((u) => !u.exposed || u.multiArm).map((u) => [u.unit, u.exposed, u.multiArm]), [['after-stop', false, false], ['ghost', false, false], [moved, true, true]].sort());
  });
});
