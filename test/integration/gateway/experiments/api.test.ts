import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryExperimentStore } from '../../../../gateway/experiments/store/memory.js';
import { createRedisExperimentStore } from '../../../../gateway/experiments/store/redis.js';
import { computeResults } from '../../../../gateway/experiments/statistics/results.js';
import { bucketOf, buildSplit, pickTarget } from '../../../../gateway/routing/assignment.js';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { freePort } from '../../../../loadtest/harness/free-port.js';

const CONFIG = (a: string, b: string) => `
backends:
  ranker-v1: { endpoints: [${a}] }
  ranker-v2: { endpoints: [${b}] }
  plain: { endpoints: [${a}] }
routes:
  - name: plain
    match: { pathPrefix: /plain }
    backend: plain
  - name: ranker
    match: { pathPrefix: /rank }
    experiment:
      id: ranker-ab
      unit: header:x-user-id
      variants: [{ name: control, backend: ranker-v1, weight: 50 }, { name: treatment, backend: ranker-v2, weight: 50 }]
      metrics: [{ name: clicked, kind: proportion }, { name: revenue, kind: mean }]
      primaryMetric: clicked
`;

/** The split the gateway uses, computed independently: treatment owns the low buckets. */
function expectedVariant(unit: string): string {
  return pickTarget(buildSplit([{ name: 'treatment', weight: 50 }, { name: 'control', weight: 50 }]), bucketOf('ranker-ab', unit));
}

async function metricValue(adminUrl: string, line: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(line));
  return found === undefined ? 0 : Number(found.slice(line.length).trim());
}

describe('the experiments API and exposure counting', () => {
  let a: EchoUpstream;
  let b: EchoUpstream;
  let gw: TestGateway;
  before(async () => {
    [a, b] = await Promise.all([startEchoUpstream('v1'), startEchoUpstream('v2')]);
    gw = await startTestGateway(CONFIG(a.url, b.url), { experimentStore: createMemoryExperimentStore() });
  });
  after(async () => {
    await gw.stop();
    await Promise.all([a.close(), b.close()]);
  });

  it('counts each unit once, for the variant that served it; requests without a unit are control and not counted', async () => {
    const served = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const unit = `user-${i % 20}`;
      const res = await fetch(`${gw.url}/rank`, { headers: { 'x-user-id': unit } });
      const upstream = ((await res.json()) as { upstream: string }).upstream;
      served.set(unit, upstream === 'v2' ? 'treatment' : 'control');
    }
    for (const [unit, variant] of served) assert.equal(variant, expectedVariant(unit), unit);
    const anonymous = await fetch(`${gw.url}/rank`);
    assert.equal(((await anonymous.json()) as { upstream: string }).upstream, 'v1');
    const treatment = [...served.values()].filter((v) => v === 'treatment').length;
    const { body } = await getJson(`${gw.adminUrl}/v1/experiments`);
    assert.deepEqual(body, {
      experiments: [{
        id: 'ranker-ab', route: 'ranker', unit: 'header:x-user-id', stopped: false, sequential: false, primaryMetric: 'clicked',
        variants: [
          { name: 'control', backend: 'ranker-v1', weight: 50, exposures: 20 - treatment },
          { name: 'treatment', backend: 'ranker-v2', weight: 50, exposures: treatment },
        ],
        metrics: [{ name: 'clicked', kind: 'proportion', goal: 'increase', role: 'primary' }, { name: 'revenue', kind: 'mean', goal: 'increase', role: 'secondary' }],
      }],
    });
    assert.equal(await metricValue(gw.adminUrl, 'switchyard_experiment_exposures_total{experiment="ranker-ab",variant="treatment"}'), treatment);
  });

  it('records outcomes with the routing variant, once per idempotency key, and results equal the statistics on the same data', async () => {
    const outcomes = Array.from({ length: 20 }, (_, i) => ({ unit: `user-${i}`, metric: 'revenue', value: i * 1.5 }));
    const first = await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/outcomes`, { outcomes, idempotencyKey: 'batch-1' });
    assert.deepEqual([first.status, first.body], [200, { accepted: 20, duplicate: false, idempotencyKey: 'batch-1' }]);
    const again = await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/outcomes`, { outcomes, idempotencyKey: 'batch-1' });
    assert.deepEqual([again.status, again.body], [200, { accepted: 0, duplicate: true, idempotencyKey: 'batch-1' }]);
    const single = await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/outcomes`, { unit: 'user-3', metric: 'clicked', value: 1 });
    const { idempotencyKey: made, ...recorded } = single.body as { idempotencyKey: string };
    assert.deepEqual([single.status, recorded], [200, { accepted: 1, duplicate: false }]);
    assert.match(made, /^[0-9a-f-]{36}$/, 'a post without a key gets one made by the server');

    const { status, body } = await getJson(`${gw.adminUrl}/v1/experiments/ranker-ab/results`);
    assert.equal(status, 200);
    const report = body as ReturnType<typeof computeResults> & { route: string; stopped: boolean };
    // The same raw data, stored directly with independently computed variants.
    const direct = createMemoryExperimentStore();
    for (let i = 0; i < 20; i++) await direct.recordExposure('ranker-ab', expectedVariant(`user-${i}`), `user-${i}`);
    await direct.recordOutcomes('ranker-ab', outcomes.map((o) => ({ ...o, variant: expectedVariant(o.unit), combine: 'sum' as const })));
    await direct.recordOutcomes('ranker-ab', [{ unit: 'user-3', metric: 'clicked', value: 1, variant: expectedVariant('user-3'), combine: 'max' }]);
    const expected = computeResults({
      id: 'ranker-ab', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }],
      metrics: [{ name: 'clicked', kind: 'proportion', goal: 'increase', missing: 'zero' }, { name: 'revenue', kind: 'mean', goal: 'increase', missing: 'zero' }],
    }, await direct.summary('ranker-ab'), { primaryMetric: 'clicked' });
    assert.deepEqual(report, { ...expected, route: 'ranker', stopped: false });
  });

  it('names the problem with a 4xx and records nothing', async () => {
    const url = `${gw.adminUrl}/v1/experiments/ranker-ab/outcomes`;
    const cases: [unknown, number, string, string][] = [
      [{ unit: 'u', metric: 'bought', value: 1 }, 404, 'UNKNOWN_METRIC', "metric: experiment 'ranker-ab' has no metric 'bought'; expected one of 'clicked', 'revenue'"],
      [{ unit: 'u', metric: 'revenue', value: 'NaN' }, 400, 'INVALID_OUTCOME', "value: expected a finite number; received 'NaN'"],
      [{ unit: 'x'.repeat(257), metric: 'revenue', value: 1 }, 400, 'INVALID_OUTCOME', 'unit: expected a non-empty string of at most 256 characters; received a string of 257 characters'],
      [{ outcomes: [{ unit: 'u', metric: 'revenue', value: 1 }, { unit: 'u', metric: 'clicked', value: 2 }] }, 400, 'INVALID_OUTCOME', "outcomes[1].value: expected 0 or 1 (metric 'clicked' is a proportion); received 2"],
    ];
    for (const [body, status, code, error] of cases) {
      const res = await postJson(url, body);
      assert.deepEqual([res.status, res.body], [status, { error, code }]);
    }
    const unknown = await postJson(`${gw.adminUrl}/v1/experiments/nope/outcomes`, { unit: 'u', metric: 'revenue', value: 1 });
    assert.deepEqual([unknown.status, unknown.body], [404, { error: "no experiment 'nope' in the config in effect; experiments: 'ranker-ab'", code: 'EXPERIMENT_NOT_FOUND' }]);
    const malformed = await postJson(url, '{"unit": ');
    assert.equal(malformed.status, 400);
    assert.equal((malformed.body as { code: string }).code, 'INVALID_JSON');
    const form = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(form.status, 415);
    // The partial batch above (outcomes[0] was valid) left no trace: u has no revenue.
    const exported = (await getJson(`${gw.adminUrl}/v1/experiments/ranker-ab/export`)).body as { units: { unit: string }[] };
    assert.equal(exported.units.some((u) => u.unit === 'u'), false);
  });

  it('stop ends exposure counting but keeps outcomes; export has every unit; reset needs a confirmation', async () => {
    assert.deepEqual((await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/stop`, {})).body, { experimentId: 'ranker-ab', stopped: true });
    await fetch(`${gw.url}/rank`, { headers: { 'x-user-id': 'late-user' } });
    const late = await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/outcomes`, { unit: 'user-1', metric: 'clicked', value: 1 });
    assert.equal(late.status, 200);
    const exported = (await getJson(`${gw.adminUrl}/v1/experiments/ranker-ab/export`)).body as {
      experimentId: string; stopped: boolean; units: { unit: string; variant: string; exposed: boolean; multiArm: boolean; metrics: Record<string, number> }[];
    };
    assert.equal(exported.stopped, true);
    assert.deepEqual(exported.units.map((u) => u.unit), Array.from({ length: 20 }, (_, i) => `user-${i}`).sort());
    assert.deepEqual(exported.units.find((u) => u.unit === 'user-1'), { unit: 'user-1', variant: expectedVariant('user-1'), exposed: true, multiArm: false, metrics: { clicked: 1, revenue: 1.5 } });

    const refused = await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/reset`, {});
    assert.deepEqual([refused.status, refused.body], [400, {
      error: 'a reset deletes every exposure and outcome of \'ranker-ab\'; send {"confirm": "ranker-ab"} to confirm', code: 'INVALID_REQUEST',
    }]);
    assert.equal((await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/reset`, { confirm: 'ranker-ab' })).status, 200);
    const after = (await getJson(`${gw.adminUrl}/v1/experiments`)).body as { experiments: { stopped: boolean; variants: { exposures: number }[] }[] };
    assert.equal(after.experiments[0]!.stopped, false);
    assert.deepEqual(after.experiments[0]!.variants.map((v) => v.exposures), [0, 0]);
  });
});

describe('the experiments API with Redis down', () => {
  it('answers outcome posts 503 with the key to retry with, while inference goes on', async () => {
    const upstream = await startEchoUpstream('v1');
    const deadPort = await freePort();
    const store = createRedisExperimentStore({ redis: `redis://127.0.0.1:${deadPort}`, commandTimeoutMs: 200, connectTimeoutMs: 200 });
    const gw = await startTestGateway(CONFIG(upstream.url, upstream.url), { experimentStore: store });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${gw.url}/rank`, { headers: { 'x-user-id': `u${i}` } });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
      const res = await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/outcomes`, { unit: 'u1', metric: 'revenue', value: 3, idempotencyKey: 'k-3' });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.deepEqual(res.body, {
        error: 'experiment store (Redis) is unavailable: the outcomes were not confirmed and may still be recorded when Redis answers; retry with idempotencyKey \'k-3\', which counts them exactly once; try again later',
        code: 'STORE_UNAVAILABLE',
        idempotencyKey: 'k-3',
      });
      const results = await getJson(`${gw.adminUrl}/v1/experiments/ranker-ab/results`);
      assert.equal(results.status, 503);
      assert.equal(await metricValue(gw.adminUrl, 'switchyard_experiment_store_failures_total{experiment="ranker-ab",operation="outcomes"}'), 1);
    } finally {
      await gw.stop();
      await upstream.close();
    }
  });
});
