import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { historyPointOf } from '../../../../gateway/experiments/history/history.js';
import type { ExperimentExport, ExperimentHistory, ExperimentReport } from '../../../../gateway/experiments/service.js';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { until } from '../../../helpers/process.js';
import { deleteKeys, REDIS_URL, redisSkip } from '../../../helpers/redis.js';

const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;
const skip = await redisSkip();
const MINUTE = 60_000;
/** A fixed time for the slots the test records: 2026-12-08 00:00 UTC. */
const T0 = Date.UTC(2026, 11, 8);

const CONFIG = (a: string, b: string) => `
store: { redis: "${REDIS_URL}", keyPrefix: "${PREFIX}" }
backends:
  ranker-v1: { endpoints: [${a}] }
  ranker-v2: { endpoints: [${b}] }
routes:
  - name: ranker
    match: { pathPrefix: /rank }
    experiment:
      id: history-e2e
      unit: header:x-user-id
      variants: [{ name: control, backend: ranker-v1, weight: 50 }, { name: treatment, backend: ranker-v2, weight: 50 }]
      metrics:
        - { name: revenue, kind: mean, role: primary }
        - { name: latency_ms, kind: mean, goal: decrease, role: guardrail }
      multipleComparisons: benjamini-hochberg
      historyInterval: 1m
`;

describe('the lift over time: recorded once per interval by two replicas sharing Redis', { skip }, () => {
  let a: EchoUpstream;
  let b: EchoUpstream;
  let one: TestGateway;
  let two: TestGateway;
  before(async () => {
    [a, b] = await Promise.all([startEchoUpstream('v1'), startEchoUpstream('v2')]);
    // No timer: the test says when each replica looks, with the time of its choosing.
    [one, two] = await Promise.all([startTestGateway(CONFIG(a.url, b.url), { historyTickMs: 0 }), startTestGateway(CONFIG(a.url, b.url), { historyTickMs: 0 })]);
  });
  after(async () => {
    await Promise.all([one.stop(), two.stop()]);
    await Promise.all([a.close(), b.close(), deleteKeys(PREFIX)]);
  });

  const api = async <T>(gw: TestGateway, what: string) => {
    const res = await getJson(`${gw.adminUrl}/v1/experiments/history-e2e/${what}`);
    assert.equal(res.status, 200, what);
    return res.body as T;
  };
  const post = async (values: (i: number) => [number, number], units: number) => {
    const outcomes = Array.from({ length: units }, (_, i) => {
      const [revenue, latency] = values(i);
      return [{ unit: `user-${i}`, metric: 'revenue', value: revenue }, { unit: `user-${i}`, metric: 'latency_ms', value: latency }];
    }).flat();
    assert.equal((await postJson(`${one.adminUrl}/v1/experiments/history-e2e/outcomes`, { outcomes })).status, 200);
  };

  it('serves the points through the API, each equal to the results at its time, one per slot whichever replica looks', async () => {
    for (let i = 0; i < 40; i++) await fetch(`${(i % 2 === 0 ? one : two).url}/rank`, { headers: { 'x-user-id': `user-${i}` } }).then((r) => r.arrayBuffer());
    await until(async () => (await api<ExperimentReport>(one, 'results')).variants.reduce((s, v) => s + v.exposures, 0) === 40, '40 exposures in Redis');
    await post((i) => [i % 7, 100 + (i % 5)], 40);
    const first = await api<ExperimentReport>(one, 'results');
    await one.gateway.sampleExperiments(T0 + 10_000);
    await two.gateway.sampleExperiments(T0 + 20_000); // same slot: replica two finds it recorded
    await post((i) => [i % 3, i % 4], 40); // more revenue and latency for every unit
    const second = await api<ExperimentReport>(two, 'results');
    await two.gateway.sampleExperiments(T0 + MINUTE);

    const history = await api<ExperimentHistory>(one, 'history');
    assert.equal(history.intervalMs, MINUTE);
    assert.deepEqual(history.points, [historyPointOf(first, T0 + 10_000), historyPointOf(second, T0 + MINUTE)]);
    assert.deepEqual(await api<ExperimentHistory>(two, 'history'), history, 'both replicas serve the same history');
    // The lift moved between the looks: the chart has something to show.
    const lift = (i: number) => history.points[i]!.metrics[0]!.comparisons[0]!.relativeLift!.estimate;
    assert.notEqual(lift(0), lift(1));
    assert.equal(first.correction.method, 'benjamini-hochberg');
    assert.deepEqual(first.correction, { method: 'benjamini-hochberg', comparisons: 1 });
  });

  it('exports the same figures as the results API', async () => {
    const [exported, results] = await Promise.all([api<ExperimentExport>(one, 'export'), api<ExperimentReport>(one, 'results')]);
    assert.deepEqual(exported.results, results);
    assert.equal(exported.units.length, 40);
  });

  it('records nothing once the experiment is stopped, answers 404 for an unknown experiment, and forgets the history on reset', async () => {
    assert.equal((await postJson(`${one.adminUrl}/v1/experiments/history-e2e/stop`, {})).status, 200);
    await one.gateway.sampleExperiments(T0 + 2 * MINUTE);
    assert.equal((await api<ExperimentHistory>(one, 'history')).points.length, 2);
    const unknown = await getJson(`${one.adminUrl}/v1/experiments/nope/history`);
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body as { code: string }).code, 'EXPERIMENT_NOT_FOUND');
    assert.equal((await postJson(`${one.adminUrl}/v1/experiments/history-e2e/reset`, { confirm: 'history-e2e' })).status, 200);
    assert.deepEqual((await api<ExperimentHistory>(two, 'history')).points, []);
  });
});
