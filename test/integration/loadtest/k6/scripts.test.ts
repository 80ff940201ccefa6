import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMemoryExperimentStore } from '../../../../gateway/experiments/store/memory.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { runK6Script, type K6Run } from '../../../helpers/k6/run-script.js';
import { startTestWorker } from '../../../helpers/worker.js';

/**
 * The k6 scripts of loadtest/k6, run under the k6 stand-in (test/helpers/k6) against a real
 * gateway in front of a real worker, on short profiles. Latency bounds are set far above any
 * answer time (a loaded machine must not decide these tests); each run has a VU for every
 * planned iteration, so no iteration is dropped for want of one.
 */

const TOKEN = 'k6-scripts-test-token';
const EXPERIMENT = 'k6-ab';

/** 5 requests/s for 2 s: 10 iterations, 10 VUs. */
const SHORT = { RATE: '5', DURATION: '2s', PRE_VUS: '10', MAX_VUS: '10', P95_MS: '60000', P99_MS: '60000' };
/** 2/s for 1 s, up to 6/s over 1 s, 1 s held, down over 1 s, 2/s for 2 s: about 20 iterations. */
const SPIKE = { RATE: '2', SPIKE_FACTOR: '3', SPIKE_BEFORE: '1s', SPIKE_RAMP: '1s', SPIKE_HOLD: '1s', SPIKE_AFTER: '2s', PRE_VUS: '24', MAX_VUS: '24', P95_MS: '60000', P99_MS: '60000' };
/** Where SPIKE's recovery phase starts, ms after the scenario's start: before + ramp + hold + ramp. */
const SPIKE_AFTER_STARTS_MS = 4000;

function passes(run: K6Run): void {
  assert.deepEqual(run.errors, [], 'no iteration threw');
  assert.deepEqual(run.failed, [], 'every threshold holds');
  assert.ok(run.thresholds.length > 0);
}

describe('the k6 scripts against a real gateway (k6 stand-in)', { timeout: 180_000 }, () => {
  let worker: Awaited<ReturnType<typeof startTestWorker>>;
  /** fraud: a canary at 100 %, so every answer is version 2 and the canary check is exact. */
  let canaryGw: TestGateway;
  /** fraud: an experiment whose outcomes need the admin token. */
  let abGw: TestGateway;

  before(async () => {
    worker = await startTestWorker(['fraud']);
    const backends = `
pools:
  cpu: { models: /unused }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  fraud-v2: { pool: cpu, model: fraud, version: "2" }
`;
    canaryGw = await startTestGateway(`${backends}
routes:
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    rollout: { strategy: canary, stable: fraud-v1, canary: fraud-v2, weight: 100 }
`, { poolEndpoints: { cpu: [worker.url] } });
    abGw = await startTestGateway(`${backends}
routes:
  - name: fraud-ab
    match: { pathPrefix: /v2/models/fraud }
    experiment:
      id: ${EXPERIMENT}
      unit: header:x-user-id
      variants: [{ name: control, backend: fraud-v1, weight: 50 }, { name: treatment, backend: fraud-v2, weight: 50 }]
      metrics: [{ name: chargeback, kind: proportion }]
`, { poolEndpoints: { cpu: [worker.url] }, adminToken: TOKEN, experimentStore: createMemoryExperimentStore() });
  });
  after(async () => {
    await canaryGw?.stop();
    await abGw?.stop();
    await worker?.drain();
  });

  it('steady.ts: RATE × DURATION iterations, user traffic tagged, every threshold holds', async () => {
    const run = await runK6Script('steady.ts', { env: { ...SHORT, BASE_URL: canaryGw.url } });
    passes(run);
    assert.equal(run.count('iterations'), 10);
    assert.equal(run.count('http_reqs{traffic:user,status:200}'), 10);
    assert.equal(run.count('switchyard_responses{version:2}'), 10);
    assert.ok(run.thresholds.some((t) => t.key === 'dropped_iterations' && t.expression === 'count<=0'));
  });

  it('canary.ts: holds when the canary serves its configured share, fails on the share alone when it does not', async () => {
    const right = await runK6Script('canary.ts', { env: { ...SHORT, BASE_URL: canaryGw.url, CANARY_WEIGHT: '100', TOLERANCE: '0' } });
    passes(right);
    assert.equal(right.count('switchyard_canary_share'), 10);
    const wrong = await runK6Script('canary.ts', { env: { ...SHORT, BASE_URL: canaryGw.url, CANARY_WEIGHT: '0', TOLERANCE: '0' } });
    assert.deepEqual(wrong.failed, ['switchyard_canary_share rate<=0 (1)']);
  });

  it('soak.ts: the steady thresholds and dropped_iterations over SOAK_DURATION', async () => {
    const run = await runK6Script('soak.ts', { env: { ...SHORT, SOAK_DURATION: '2s', BASE_URL: canaryGw.url } });
    passes(run);
    assert.equal(run.count('iterations'), 10);
  });

  it('ab.ts: outcomes posted with ADMIN_TOKEN are accepted, tagged admin and kept out of the user thresholds', async () => {
    const run = await runK6Script('ab.ts', { env: { ...SHORT, BASE_URL: abGw.url, ADMIN_URL: abGw.adminUrl, ADMIN_TOKEN: TOKEN, EXPERIMENT } });
    passes(run);
    assert.equal(run.count('http_reqs{traffic:user,status:200}'), 10);
    assert.equal(run.count('http_reqs{traffic:admin}'), 10);
    assert.equal(run.count('switchyard_outcome_accepted'), 10, 'every post accepted');
    const results = await fetch(`${abGw.adminUrl}/v1/experiments/${EXPERIMENT}/results`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(results.status, 200);
  });

  it('ab.ts without ADMIN_TOKEN: every post is 401 and only the outcome threshold fails', async () => {
    const run = await runK6Script('ab.ts', { env: { ...SHORT, BASE_URL: abGw.url, ADMIN_URL: abGw.adminUrl, EXPERIMENT } });
    assert.equal(run.count('http_reqs{traffic:admin,status:401}'), 10);
    // The 401s are http_req_failed samples too, but tagged admin: the user-facing thresholds hold.
    assert.deepEqual(run.failed, ['switchyard_outcome_accepted rate>0.99 (0)']);
  });

  it('spike.ts: passes against a gateway that keeps up, with answers in the recovery phase', async () => {
    const run = await runK6Script('spike.ts', { env: { ...SPIKE, BASE_URL: canaryGw.url } });
    passes(run);
    assert.ok(run.count('switchyard_responses{phase:after}') > 0);
    assert.ok(run.count('switchyard_responses{phase:spike}') > run.count('switchyard_responses{phase:before}'));
    for (const key of ['switchyard_errors{phase:after}', 'switchyard_latency{phase:after}', 'switchyard_responses{phase:after}', 'dropped_iterations']) {
      assert.ok(run.thresholds.some((t) => t.key === key), `spike.ts has a threshold on ${key}`);
    }
  });

  it('steady.ts fails on dropped_iterations when every VU is busy as iterations fall due', async () => {
    // One VU, and a server that holds every answer until the last iteration was due: the
    // first iteration has the VU, the other four find none and are dropped.
    const held: (() => void)[] = [];
    let released = false;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const answer = (): void => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"outputs":[]}');
        if (released) answer();
        else held.push(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const run = await runK6Script('steady.ts', {
        env: { ...SHORT, DURATION: '1s', PRE_VUS: '1', MAX_VUS: '1', BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
        onScheduled: () => {
          released = true;
          for (const answer of held.splice(0)) answer();
        },
      });
      assert.equal(run.count('iterations'), 1);
      assert.deepEqual(run.failed, ['dropped_iterations count<=0 (4)']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('spike.ts against a server that fails every request after the spike', () => {
    let server: Server;
    let url: string;
    /** Epoch ms from which the server answers 500; set when the scenario starts. */
    let failFrom = Infinity;
    before(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const status = Date.now() >= failFrom ? 500 : 200;
          res.writeHead(status, { 'content-type': 'application/json', 'x-switchyard-version': '1' });
          res.end(status === 200 ? '{"outputs":[]}' : '{"error":"broken after the spike","code":"INTERNAL"}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('fails on the recovery phase, though the whole-run thresholds it had before still pass', async () => {
      const run = await runK6Script('spike.ts', { env: { ...SPIKE, BASE_URL: url }, onStart: (start) => (failFrom = start + SPIKE_AFTER_STARTS_MS) });
      assert.deepEqual(run.errors, []);
      assert.ok(run.count('switchyard_responses{phase:after}') > 0);
      assert.deepEqual(run.failed, ['switchyard_errors{phase:after} rate<0.01 (1)']);
      const whole = run.thresholds.filter((t) => t.key === 'switchyard_errors' || t.key === 'http_req_failed{traffic:user}');
      assert.equal(whole.length, 2);
      assert.ok(whole.every((t) => t.ok && t.value! > 0), 'the errors are there, diluted below the spike budget');
    });
  });
});
