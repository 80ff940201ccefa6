import assert from 'node:assert/strict';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateTransactions } from '../../../worker/demo-models/build.js';
import { registerVersion } from '../../../worker/repository/register.js';
import { startWorker } from '../../../worker/start-worker.js';
import { createModelRunner } from '../../../worker/batching/model-runner.js';
import { silentLogger } from '../../../observability/logger.js';
import { versionReadyPath } from '../../../gateway/health/version-readiness.js';
import { demoModelsDir } from '../../helpers/demo-models.js';
import { postJson } from '../../helpers/http.js';
import { startTestGateway } from '../../helpers/gateway/start-test-gateway.js';

const infer = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: generateTransactions(1, { seed: 9 }) }] };

async function fraudWorker() {
  const repo = await mkdtemp(join(tmpdir(), 'switchyard-gw-version-'));
  await cp(join(await demoModelsDir(), 'fraud'), join(repo, 'fraud'), { recursive: true, dereference: true });
  const w = await startWorker({ modelsDir: repo, httpPort: 0, host: '127.0.0.1', log: silentLogger(), createRunner: createModelRunner });
  return Object.assign(w, { url: `http://127.0.0.1:${w.httpPort}`, repo });
}

/** Polls a state the gateway's prober updates on its own interval (50 ms here); gives up after 5 s. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('the gateway and model version readiness', () => {
  it('stops sending a version-pinned backend to a worker where that version was unloaded, and keeps the worker for others', async () => {
    const a = await fraudWorker();
    const b = await fraudWorker();
    const gw = await startTestGateway(`
pools:
  cpu: { models: /unused }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  fraud-latest: { pool: cpu, model: fraud }
routes:
  - name: latest
    match: { pathPrefix: /v2/models/fraud, headers: { x-latest: "yes" } }
    backend: fraud-latest
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    backend: fraud-v1
`, { poolEndpoints: { cpu: [a.url, b.url] }, probe: { intervalMs: 50 } });
    try {
      // Worker a gets version 3; its policy (latest 2) unloads version 1 there.
      await registerVersion({ repo: a.repo, name: 'fraud', file: join(a.repo, 'fraud', '2', 'model.onnx') });
      assert.equal((await postJson(`${a.url}/v2/repository/models/fraud/load`, {})).status, 200);
      assert.deepEqual(a.registry.versionNames('fraud'), ['2', '3']);
      const endpointA = gw.gateway.current().backends.get('fraud-v1')!.endpoints.find((e) => e.origin === a.url)!;
      await eventually(() => endpointA.versionReady.get(versionReadyPath('fraud', '1')) === false, "the prober to see fraud v1 gone from worker a");

      const answers = await Promise.all(Array.from({ length: 40 }, () => postJson(`${gw.url}/v2/models/fraud/infer`, infer)));
      assert.deepEqual([...new Set(answers.map((r) => r.status))], [200]);
      assert.deepEqual([...new Set(answers.map((r) => r.headers.get('x-switchyard-model-version')))], ['1']);
      assert.equal(answers[0]!.headers.get('x-switchyard-model-sha256'), b.registry.resolve('fraud', '1').sha256, 'the worker\'s sha256 header passes through the gateway');

      // The unpinned backend still uses both workers: worker a answers it with version 3.
      const latest = await Promise.all(Array.from({ length: 40 }, () => postJson(`${gw.url}/v2/models/fraud/infer`, infer, { 'x-latest': 'yes' })));
      assert.deepEqual([...new Set(latest.map((r) => r.status))], [200]);
      assert.deepEqual([...new Set(latest.map((r) => r.headers.get('x-switchyard-model-version')))].sort(), ['2', '3']);
    } finally {
      await gw.stop();
      await a.drain();
      await b.drain();
    }
  });
});
