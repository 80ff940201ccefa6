import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, it } from 'node:test';
import { Pool } from 'undici';
import { getJson, postJson } from '../../../helpers/http.js';
import { spawnCli } from '../../../helpers/process.js';
import { fraudCanaryYaml, inferBody, startFakeModel, type FakeModel } from '../../../helpers/gateway/fake-model.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';

/**
 * Long enough for this shared (and often busy) machine to put well over minRequests on a 20 %
 * canary in each interval, so no interval is inconclusive for want of traffic.
 */
const INTERVAL_MS = 2_000;
const FAILURE_LIMIT = 2;

function yaml(stable: string, canary: string, extra = ''): string {
  return fraudCanaryYaml(stable, canary, `
      strategy: canary
      stable: v1
      canary: v2
      steps: [20, 50, 100]
      interval: ${INTERVAL_MS}ms
      analysis: { maxErrorRate: 0.01, minRequests: 20, failureLimit: ${FAILURE_LIMIT}${extra} }`);
}

/** Sends inference requests back to back (a few at a time) until stopped; counts answers per backend. */
function load(url: string): { stop: () => Promise<void>; byBackend: Map<string, number> } {
  const pool = new Pool(url, { connections: 4 });
  const byBackend = new Map<string, number>();
  let running = true;
  let i = 0;
  const worker = async (): Promise<void> => {
    while (running) {
      const res = await pool.request({ method: 'POST', path: '/v2/models/fraud/infer', headers: { 'content-type': 'application/json' }, body: inferBody([(i++ % 10) / 10, 0]) });
      await res.body.dump();
      const backend = String(res.headers['x-switchyard-backend']);
      byBackend.set(backend, (byBackend.get(backend) ?? 0) + 1);
    }
  };
  const workers = [worker(), worker(), worker(), worker()];
  return { byBackend, stop: async () => {
    running = false;
    await Promise.all(workers);
    await pool.close();
  } };
}

interface Status { phase: string; weights: { canary: number }; reason: string | null; analyses: { verdict: string }[]; history: { event: string; by: string; reason?: string }[] }

async function status(gw: TestGateway): Promise<Status> {
  return (await getJson(`${gw.adminUrl}/admin/rollouts/fraud`)).body as Status;
}

async function waitFor(gw: TestGateway, accept: (s: Status) => boolean, limitMs: number): Promise<Status> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const s = await status(gw);
    if (accept(s)) return s;
    if (performance.now() > deadline) throw new Error(`not reached within ${limitMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('canary rollouts through a real gateway', () => {
  let stable: FakeModel;
  let canary: FakeModel;
  let gw: TestGateway;
  afterEach(async () => {
    await gw.stop();
    await Promise.all([stable.close(), canary.close()]);
  });

  it('rolls back a canary that returns 5 % errors within interval × failureLimit + one interval', { timeout: 30_000 }, async () => {
    stable = await startFakeModel();
    canary = await startFakeModel({ errorEvery: 20 });
    gw = await startTestGateway(yaml(stable.url, canary.url), { rolloutTickMs: 20 });
    await waitFor(gw, (s) => s.phase === 'progressing', 2_000);
    const started = performance.now();
    const traffic = load(gw.url);
    try {
      const aborted = await waitFor(gw, (s) => s.phase === 'aborted', INTERVAL_MS * (FAILURE_LIMIT + 1) + 1_000);
      const took = performance.now() - started;
      // The interval running when the traffic began is partly empty (inconclusive): hence the one interval more.
      assert.ok(took <= INTERVAL_MS * (FAILURE_LIMIT + 1) + 250, `aborted after ${took.toFixed(0)} ms`);
      assert.equal(aborted.weights.canary, 0);
      assert.match(aborted.reason!, /^errorRate 0\.0\d+ above 0\.01; 2 failed intervals in a row reached failureLimit 2$/);
      const before = canary.count();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(canary.count(), before, 'no request reaches the canary after the abort');
    } finally {
      await traffic.stop();
    }
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    assert.match(metrics, /switchyard_rollout_events_total\{route="fraud",event="aborted"\} 1/);
    assert.match(metrics, /switchyard_rollout_canary_weight_ratio\{route="fraud"\} 0/);
  });

  it('promotes a healthy canary step by step to 100 %', { timeout: 30_000 }, async () => {
    stable = await startFakeModel();
    canary = await startFakeModel();
    gw = await startTestGateway(yaml(stable.url, canary.url, ', maxPredictionShift: 0.3, maxDisagreement: 0.05'), { rolloutTickMs: 20 });
    const traffic = load(gw.url);
    try {
      const promoted = await waitFor(gw, (s) => s.phase === 'promoted', INTERVAL_MS * 6 + 2_000);
      assert.equal(promoted.weights.canary, 100);
      assert.deepEqual(promoted.history.map((e) => e.event), ['started', 'step', 'promoted']);
      // The first interval may be inconclusive (traffic began part-way); none may fail, and the last two passed.
      assert.ok(promoted.analyses.every((a) => a.verdict !== 'fail'), JSON.stringify(promoted.analyses));
      assert.deepEqual(promoted.analyses.slice(-2).map((a) => a.verdict), ['pass', 'pass']);
    } finally {
      await traffic.stop();
    }
  });

  it('admin API and CLI: pause, abort, resume, status with --json; errors name the reason', { timeout: 30_000 }, async () => {
    stable = await startFakeModel();
    canary = await startFakeModel();
    gw = await startTestGateway(yaml(stable.url, canary.url), { rolloutTickMs: 20 });
    await waitFor(gw, (s) => s.phase === 'progressing', 2_000);
    const paused = await postJson(`${gw.adminUrl}/admin/rollouts/fraud/pause`, { reason: 'checking dashboards' });
    assert.equal(paused.status, 200);
    assert.equal((paused.body as Status).phase, 'paused');
    const again = await postJson(`${gw.adminUrl}/admin/rollouts/fraud/pause`, {});
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, { error: "route 'fraud' is paused; only a progressing rollout pauses", code: 'ROLLOUT_CONFLICT' });
    const bad = await postJson(`${gw.adminUrl}/admin/rollouts/fraud/abort`, { reason: 7 });
    assert.deepEqual(bad.body, { error: 'reason: expected a string; found 7', code: 'INVALID_REQUEST' });
    const missing = await getJson(`${gw.adminUrl}/admin/rollouts/nope`);
    assert.equal(missing.status, 404);

    const cli = (args: string[]) => spawnCli(['rollout', ...args, '--admin', gw.adminUrl]);
    const abort = cli(['abort', 'fraud', '--reason', 'support tickets']);
    assert.equal(await abort.exited, 0);
    const statusCli = cli(['status', 'fraud', '--json']);
    assert.equal(await statusCli.exited, 0);
    const shown = statusCli.lines.find((l) => typeof l === 'object') as Status | undefined;
    const text = statusCli.lines.join('\n');
    const parsed = (shown ?? JSON.parse(text)) as Status;
    assert.equal(parsed.phase, 'aborted');
    assert.equal(parsed.reason, 'aborted by hand: support tickets');
    assert.equal(parsed.weights.canary, 0);
    const resume = cli(['resume', 'fraud']);
    assert.equal(await resume.exited, 0);
    assert.match(resume.lines.join('\n'), /phase {4}progressing/);
    assert.equal((await status(gw)).weights.canary, 20);
    const wrong = cli(['switch', 'fraud']);
    assert.equal(await wrong.exited, 1);
  });

  it('shadow phase: the canary answers copies of stable traffic at 0 %; agreement starts the steps, disagreement blocks', { timeout: 30_000 }, async () => {
    const phase = (stableUrl: string, canaryUrl: string) => yaml(stableUrl, canaryUrl).replace('      analysis:', '      shadowPhase: { minAgreement: 0.95, minRequests: 20 }\n      analysis:');
    stable = await startFakeModel();
    canary = await startFakeModel();
    gw = await startTestGateway(phase(stable.url, canary.url), { rolloutTickMs: 20 });
    assert.equal((await status(gw)).phase, 'shadow');
    let traffic = load(gw.url);
    try {
      const started = await waitFor(gw, (s) => s.phase !== 'shadow', INTERVAL_MS * 4 + 2_000);
      assert.equal(started.phase, 'progressing');
      assert.equal(started.weights.canary, 20);
      assert.match(started.history.at(-1)!.reason!, /^agreement 1 ≥ 0\.95 over \d+ rows$/);
    } finally {
      await traffic.stop();
    }
    await gw.stop();
    await Promise.all([stable.close(), canary.close()]);

    stable = await startFakeModel();
    canary = await startFakeModel({ classify: (row) => (row[0]! > 0.25 ? 1 : 0) });
    gw = await startTestGateway(phase(stable.url, canary.url), { rolloutTickMs: 20 });
    traffic = load(gw.url);
    try {
      const blocked = await waitFor(gw, (s) => s.phase !== 'shadow', INTERVAL_MS * 4 + 2_000);
      assert.equal(blocked.phase, 'blocked');
      assert.match(blocked.reason!, /^shadow agreement 0\.\d+ is below minAgreement 0\.95/);
      assert.equal(blocked.weights.canary, 0);
    } finally {
      await traffic.stop();
    }
  });
});
