import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateTransactions } from '../../../worker/demo-models/build.js';
import { postJson } from '../../helpers/http.js';
import { promtool, promtoolSkipReason } from '../../helpers/deploy/promtool.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';
import { startTestWorker } from '../../helpers/worker.js';

type Worker = Awaited<ReturnType<typeof startTestWorker>>;

const infer = { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 30], data: generateTransactions(2, { seed: 5 }) }] };
const skip = promtoolSkipReason();

/** A rollout, an experiment and a breaker, so their metric families carry series when scraped. */
const CONFIG = `
pools:
  cpu: { models: /unused }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  fraud-v2: { pool: cpu, model: fraud, version: "2" }
routes:
  - name: fraud-ab
    match: { pathPrefix: /v2/models/fraud, headers: { x-ab: "yes" } }
    experiment:
      id: fraud-ab
      unit: header:x-user-id
      variants: [{ name: control, backend: fraud-v1, weight: 50 }, { name: treatment, backend: fraud-v2, weight: 50 }]
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    rollout: { strategy: canary, stable: fraud-v1, canary: fraud-v2, weight: 25, steps: [50, 100], interval: 1h }
    resilience: { circuitBreaker: { consecutiveFailures: 5, openFor: 10s } }
`;

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

describe('promtool check metrics on a real worker and gateway', { skip }, () => {
  let worker: Worker;
  let gw: TestGateway;

  before(async () => {
    worker = await startTestWorker(['fraud']);
    gw = await startTestGateway(CONFIG, { poolEndpoints: { cpu: [worker.url] } });
    for (let i = 0; i < 8; i++) {
      assert.equal((await postJson(`${gw.url}/v2/models/fraud/infer`, infer)).status, 200);
      assert.equal((await postJson(`${gw.url}/v2/models/fraud/infer`, infer, { 'x-ab': 'yes', 'x-user-id': `u${i}` })).status, 200);
    }
    assert.equal((await postJson(`${gw.url}/v2/models/fraud/versions/9/infer`, infer)).status, 404);
  });
  after(async () => {
    await gw.stop();
    await worker.drain();
  });

  it("finds nothing to report on the worker's /metrics", async () => {
    const text = await scrape(worker.url);
    assert.match(text, /^switchyard_worker_requests_total\{model="fraud",version="[12]",outcome="ok"\} \d+$/m, 'the scrape holds the requests served');
    assert.doesNotMatch(text, /nodejs_active_handles_total/);
    assert.match(text, /^# TYPE switchyard_worker_nodejs_active_handles gauge$/m, 'handles by type stay; their sum is the dropped total');
    const { status, output } = promtool(['check', 'metrics'], text);
    assert.equal(output, '');
    assert.equal(status, 0);
  });

  it("finds nothing to report on the gateway's admin /metrics", async () => {
    const text = await scrape(gw.adminUrl);
    assert.match(text, /^switchyard_gateway_requests_total\{route="fraud",backend="fraud-v[12]",variant="",outcome="success"\} \d+$/m);
    assert.match(text, /^switchyard_rollout_canary_weight_ratio\{route="fraud"\} 0\.25$/m, 'a 25 % canary is 0.25');
    assert.doesNotMatch(text, /_percent\b/);
    const { status, output } = promtool(['check', 'metrics'], text);
    assert.equal(output, '');
    assert.equal(status, 0);
  });
});
