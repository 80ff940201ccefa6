import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mean, sampleVariance } from 'simple-statistics';
import { computeResults } from '../../../../gateway/experiments/statistics/results.js';
import type { ExperimentResults } from '../../../../gateway/experiments/statistics/types.js';
import type { ExperimentSummary, MetricMoments } from '../../../../gateway/experiments/store/store.js';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { spawnCli, until, type SpawnedCli } from '../../../helpers/process.js';
import { deleteKeys, REDIS_URL, redisSkip } from '../../../helpers/redis.js';
import { seededRandom } from '../../../unit/gateway/experiments/random.js';
import { assertClose } from '../../../unit/gateway/experiments/assert-close.js';

const UNITS = 2000;
const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;
const skip = await redisSkip();

interface Replica {
  readonly cli: SpawnedCli;
  readonly url: string;
  readonly admin: string;
}

/** Runs `work` over items with at most `width` in flight. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  }));
}

describe('an experiment across two gateway processes sharing Redis', { skip }, () => {
  let control: EchoUpstream;
  let treatment: EchoUpstream;
  const replicas: Replica[] = [];

  before(async () => {
    [control, treatment] = await Promise.all([startEchoUpstream('control'), startEchoUpstream('treatment')]);
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-ab-'));
    const config = join(dir, 'gateway.yaml');
    await writeFile(config, `store: { redis: "${REDIS_URL}", keyPrefix: "${PREFIX}" }
backends:
  ranker-v1: { endpoints: [${control.url}] }
  ranker-v2: { endpoints: [${treatment.url}] }
routes:
  - name: ranker
    match: { pathPrefix: /rank }
    experiment:
      id: ranker-e2e
      unit: header:x-user-id
      variants: [{ name: control, backend: ranker-v1, weight: 40 }, { name: treatment, backend: ranker-v2, weight: 60 }]
      metrics: [{ name: converted, kind: proportion }, { name: revenue, kind: mean }]
`);
    for (let i = 0; i < 2; i++) {
      const cli = spawnCli(['gateway', '-c', config, '--http-port', '0', '--admin-port', '0', '--grpc-port', '0'], { SWITCHYARD_ADMIN_TOKEN: '' });
      const line = await cli.waitForLine((l) => l.event === 'listening');
      replicas.push({ cli, url: `http://127.0.0.1:${String(line.httpPort)}`, admin: `http://127.0.0.1:${String(line.adminPort)}` });
    }
  });

  after(async () => {
    for (const r of replicas) {
      r.cli.child.kill('SIGTERM');
      await r.cli.exited;
    }
    await Promise.all([control.close(), treatment.close(), deleteKeys(PREFIX)]);
  });

  it('routes 2,000 units, takes outcomes in pieces through both, and reports what the raw data gives', async () => {
    const units = Array.from({ length: UNITS }, (_, i) => `user-${i}`);
    const variantOf = new Map<string, string>();
    // Each unit goes through one replica, then again through the other: sticky across replicas.
    await inParallel(units, 16, async (unit, i) => {
      for (const r of [replicas[i % 2]!, replicas[(i + 1) % 2]!]) {
        const res = await fetch(`${r.url}/rank/infer`, { headers: { 'x-user-id': unit } });
        const served = ((await res.json()) as { upstream: string }).upstream;
        assert.equal(variantOf.get(unit) ?? served, served, `${unit} changed variant between replicas`);
        variantOf.set(unit, served);
      }
    });
    await until(async () => {
      const { body } = await getJson(`${replicas[0]!.admin}/v1/experiments`);
      const list = body as { experiments: { variants: { exposures: number }[] }[] };
      return list.experiments[0]!.variants.reduce((s, v) => s + v.exposures, 0) === UNITS;
    }, 'every unit counted once', 5000);

    // Outcomes: 70 % of units convert; revenue in two pieces, each piece through a different replica.
    const random = seededRandom(20261124);
    const revenue = new Map<string, number>();
    const converted = new Map<string, number>();
    const posts: { unit: string; metric: string; value: number }[][] = [[], []];
    for (const unit of units) {
      if (random() < 0.3) continue;
      const lift = variantOf.get(unit) === 'treatment' ? 1.1 : 1;
      const first = Math.round(random() * 5000 * lift) / 100;
      const second = Math.round(random() * 2000) / 100;
      revenue.set(unit, first + second);
      converted.set(unit, 1);
      posts[0]!.push({ unit, metric: 'revenue', value: first }, { unit, metric: 'converted', value: 1 });
      posts[1]!.push({ unit, metric: 'revenue', value: second }, { unit, metric: 'converted', value: 1 });
    }
    const batches = posts.flatMap((list, r) => Array.from({ length: Math.ceil(list.length / 250) }, (_, b) => ({ r, outcomes: list.slice(b * 250, (b + 1) * 250), key: `r${r}-b${b}` })));
    await inParallel(batches, 4, async ({ r, outcomes, key }) => {
      const res = await postJson(`${replicas[r]!.admin}/v1/experiments/ranker-e2e/outcomes`, { outcomes, idempotencyKey: key });
      assert.deepEqual([res.status, res.body], [200, { accepted: outcomes.length, duplicate: false, idempotencyKey: key }]);
    });
    // A client retry of one batch through the other replica records nothing.
    const retried = await postJson(`${replicas[1]!.admin}/v1/experiments/ranker-e2e/outcomes`, { outcomes: batches[0]!.outcomes, idempotencyKey: batches[0]!.key });
    assert.deepEqual(retried.body, { accepted: 0, duplicate: true, idempotencyKey: batches[0]!.key });

    const fromA = (await getJson(`${replicas[0]!.admin}/v1/experiments/ranker-e2e/results`)).body as ExperimentResults;
    const fromB = (await getJson(`${replicas[1]!.admin}/v1/experiments/ranker-e2e/results`)).body as ExperimentResults;
    assert.deepEqual(fromA, fromB);

    // The same figures straight from the raw per-unit data (exposed units without outcomes are 0).
    const expectedSummary: ExperimentSummary = { variants: {} };
    for (const variant of ['control', 'treatment']) {
      const members = units.filter((u) => variantOf.get(u) === variant);
      const withOutcome = members.filter((u) => revenue.has(u));
      const moments = (values: number[]): MetricMoments => ({ n: values.length, mean: mean(values), variance: sampleVariance(values), sum: values.reduce((s, x) => s + x, 0) });
      (expectedSummary.variants as Record<string, unknown>)[variant] = {
        exposures: members.length,
        metrics: { converted: moments(withOutcome.map((u) => converted.get(u)!)), revenue: moments(withOutcome.map((u) => revenue.get(u)!)) },
      };
      const rows = members.map((u) => revenue.get(u) ?? 0);
      const reported = fromA.metrics.find((m) => m.name === 'revenue')!.variants.find((v) => v.variant === variant)!;
      assert.equal(reported.n, rows.length);
      assertClose(reported.mean, mean(rows), 1e-9, `${variant} revenue mean`);
      assertClose(reported.sd, Math.sqrt(sampleVariance(rows)), 1e-9, `${variant} revenue sd`);
    }
    const expected = computeResults({
      id: 'ranker-e2e', variants: [{ name: 'control', weight: 40 }, { name: 'treatment', weight: 60 }],
      metrics: [{ name: 'converted', kind: 'proportion' }, { name: 'revenue', kind: 'mean' }],
    }, expectedSummary);
    assert.deepEqual(fromA.sampleRatio.observed, expected.sampleRatio.observed);
    assert.equal(fromA.recommendation.action, expected.recommendation.action);
    for (const [m, metric] of expected.metrics.entries()) {
      const got = fromA.metrics[m]!;
      for (const [c, comparison] of metric.comparisons.entries()) {
        const g = got.comparisons[c]!;
        assertClose(g.difference.estimate, comparison.difference.estimate!, 1e-9, `${metric.name} difference`);
        assertClose(g.test?.statistic, comparison.test!.statistic, 1e-9, `${metric.name} statistic`);
        assertClose(g.test?.pValue, comparison.test!.pValue, 1e-6, `${metric.name} p`);
        assertClose(g.relativeLift?.estimate, comparison.relativeLift!.estimate, 1e-9, `${metric.name} lift`);
      }
    }
  });
});
