import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, it } from 'node:test';
import { Pool } from 'undici';
import { Redis } from 'ioredis';
import { getJson, postJson } from '../../../helpers/http.js';
import { spawnCli, type SpawnedCli } from '../../../helpers/process.js';
import { fraudCanaryYaml, inferBody, startFakeModel, type FakeModel } from '../../../helpers/gateway/fake-model.js';

const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS ?? 'redis://127.0.0.1:6379';
/** The gateway's default analysis lease, ms (gateway/rollout/controller.ts). */
const LEASE_MS = 2_000;
const INTERVAL_MS = 2_000;
const FAILURE_LIMIT = 2;

interface Replica { cli: SpawnedCli; http: string; admin: string }

async function startReplicas(stable: string, canary: string, rollout: string, count = 3): Promise<{ replicas: Replica[]; prefix: string; config: string }> {
  const prefix = `test:replicas:${randomBytes(6).toString('hex')}:`;
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-replicas-'));
  const config = join(dir, 'gateway.yaml');
  await writeFile(config, fraudCanaryYaml(stable, canary, rollout, `store: { redis: ${REDIS_URL}, keyPrefix: "${prefix}" }`));
  const replicas = await Promise.all(Array.from({ length: count }, () => spawnReplica(config)));
  return { replicas, prefix, config };
}

async function spawnReplica(config: string): Promise<Replica> {
  const cli = spawnCli(['gateway', '-c', config, '--http-port', '0', '--admin-port', '0', '--grpc-port', '0'], { SWITCHYARD_LOG_LEVEL: 'info' });
  const line = await cli.waitForLine((l) => l.event === 'listening' && typeof l.adminPort === 'number');
  return { cli, http: `http://127.0.0.1:${line.httpPort as number}`, admin: `http://127.0.0.1:${line.adminPort as number}` };
}

async function canaryWeight(replica: Replica): Promise<number> {
  const body = (await getJson(`${replica.admin}/admin/routes`)).body as { routes: { target: { weights: { canary: number } } }[] };
  return body.routes[0]!.target.weights.canary;
}

async function leader(replica: Replica): Promise<boolean> {
  return ((await getJson(`${replica.admin}/admin/rollouts`)).body as { analysisLeader: boolean }).analysisLeader;
}

/** Polls until `probe` holds; returns the ms it took. */
async function within(limitMs: number, what: string, probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - started;
    if (performance.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function load(urls: readonly string[]): { stop: () => Promise<void> } {
  const pools = urls.map((u) => new Pool(u, { connections: 2 }));
  let running = true;
  let i = 0;
  const workers = pools.flatMap((pool) => [0, 1].map(async () => {
    while (running) {
      const res = await pool.request({ method: 'POST', path: '/v2/models/fraud/infer', headers: { 'content-type': 'application/json' }, body: inferBody([(i++ % 10) / 10, 0]) });
      await res.body.dump();
    }
  }));
  return { stop: async () => {
    running = false;
    await Promise.all(workers);
    await Promise.all(pools.map((p) => p.close()));
  } };
}

describe('three gateway replicas sharing rollout state through Redis', () => {
  let replicas: Replica[] = [];
  let prefix = '';
  let models: FakeModel[] = [];
  afterEach(async () => {
    for (const r of replicas) r.cli.child.kill('SIGTERM');
    await Promise.all(replicas.map((r) => r.cli.exited));
    await Promise.all(models.map((m) => m.close()));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    replicas = [];
    models = [];
  });

  it('an abort issued to one replica is applied by all within one second; a killed analysis leader hands the lease over within its lease time', { timeout: 60_000 }, async () => {
    models = [await startFakeModel(), await startFakeModel()];
    let config: string;
    ({ replicas, prefix, config } = await startReplicas(models[0]!.url, models[1]!.url, '{ strategy: canary, stable: v1, canary: v2, weight: 50, steps: [50, 100], interval: 10m }'));
    await within(5_000, 'every replica routes 50 % to the canary', async () => (await Promise.all(replicas.map(canaryWeight))).every((w) => w === 50));

    const sent = performance.now();
    const abort = await postJson(`${replicas[0]!.admin}/admin/rollouts/fraud/abort`, { reason: 'test' });
    assert.equal(abort.status, 200);
    const applied = await within(1_000, 'every replica at 0 %', async () => (await Promise.all(replicas.slice(1).map(canaryWeight))).every((w) => w === 0));
    process.stdout.write(`# abort applied by all replicas ${(performance.now() - sent).toFixed(0)} ms after it was sent (${applied.toFixed(0)} ms after the answer)\n`);

    const leaders = await Promise.all(replicas.map(leader));
    assert.equal(leaders.filter(Boolean).length, 1, `exactly one leader: ${JSON.stringify(leaders)}`);
    const dead = leaders.indexOf(true);
    const killedAt = performance.now();
    replicas[dead]!.cli.child.kill('SIGKILL');
    const rest = replicas.filter((_, k) => k !== dead);
    const took = await within(LEASE_MS + 1_000, 'another replica leads', async () => (await Promise.all(rest.map(leader))).some(Boolean));
    const since = performance.now() - killedAt;
    process.stdout.write(`# lease taken over ${since.toFixed(0)} ms after the leader was killed (lease ${LEASE_MS} ms)\n`);
    assert.ok(took <= LEASE_MS + 300, `took ${took.toFixed(0)} ms`);
    // The new leader carries on with the stored rollout: still aborted.
    const status = (await getJson(`${rest[0]!.admin}/admin/rollouts/fraud`)).body as { phase: string };
    assert.equal(status.phase, 'aborted');

    // A replica started now (a restart) resumes the rollout where it was: aborted, 0 %, before its first request.
    const restarted = await spawnReplica(config);
    replicas.push(restarted);
    assert.equal(await canaryWeight(restarted), 0);
    assert.equal(((await getJson(`${restarted.admin}/admin/rollouts/fraud`)).body as { phase: string }).phase, 'aborted');
  });

  it('a canary with 5 % errors, served by three replicas, is rolled back everywhere within interval × failureLimit + one interval; a healthy one promotes', { timeout: 60_000 }, async () => {
    models = [await startFakeModel(), await startFakeModel({ errorEvery: 20 })];
    ({ replicas, prefix } = await startReplicas(models[0]!.url, models[1]!.url,
      `{ strategy: canary, stable: v1, canary: v2, steps: [20, 50, 100], interval: ${INTERVAL_MS}ms, analysis: { maxErrorRate: 0.01, minRequests: 20, failureLimit: ${FAILURE_LIMIT} } }`));
    await within(5_000, 'every replica routes 20 % to the canary', async () => (await Promise.all(replicas.map(canaryWeight))).every((w) => w === 20));
    const firstError = models[1]!;
    const traffic = load(replicas.map((r) => r.http));
    let started = 0;
    try {
      await within(5_000, 'the canary has failed once', async () => firstError.count() >= 20);
      started = performance.now();
      const took = await within(INTERVAL_MS * (FAILURE_LIMIT + 1) + 1_000, 'canary at 0 % on every replica', async () => (await Promise.all(replicas.map(canaryWeight))).every((w) => w === 0));
      process.stdout.write(`# first canary error to 0 % canary on all three replicas: ${took.toFixed(0)} ms (interval ${INTERVAL_MS} ms, failureLimit ${FAILURE_LIMIT})\n`);
      assert.ok(took <= INTERVAL_MS * (FAILURE_LIMIT + 1) + 250, `took ${took.toFixed(0)} ms`);
    } finally {
      await traffic.stop();
    }
    const status = (await getJson(`${replicas[2]!.admin}/admin/rollouts/fraud`)).body as { phase: string; analyses: { canary: { requests: number }; stable: { requests: number } }[] };
    assert.equal(status.phase, 'aborted');
    assert.ok(started > 0);

    // The same stack with a healthy canary: a YAML-level restart is a new rollout, so resume by hand and fix the canary.
    firstError.set({});
    const resumed = await postJson(`${replicas[1]!.admin}/admin/rollouts/fraud/resume`, {});
    assert.equal(resumed.status, 200);
    const healthy = load(replicas.map((r) => r.http));
    try {
      await within(INTERVAL_MS * 8 + 2_000, 'promoted on every replica', async () => (await Promise.all(replicas.map(canaryWeight))).every((w) => w === 100));
    } finally {
      await healthy.stop();
    }
    const promoted = (await getJson(`${replicas[0]!.admin}/admin/rollouts/fraud`)).body as { phase: string; history: { event: string }[] };
    assert.equal(promoted.phase, 'promoted');
  });
});
