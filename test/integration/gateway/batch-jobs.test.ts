import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateTransactions } from '../../../worker/demo-models/build.js';
import { postJson } from '../../helpers/http.js';
import { startTestGateway } from '../../helpers/gateway/start-test-gateway.js';
import { startTestWorker } from '../../helpers/worker.js';

describe('batch jobs through the gateway', () => {
  it('a job submitted on a model route runs on the route target\'s pinned version', async () => {
    const worker = await startTestWorker(['fraud']);
    const gw = await startTestGateway(`
pools:
  cpu: { models: /unused }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  jobs: { endpoints: [${worker.url}] }
routes:
  - name: fraud-jobs
    match: { pathPrefix: /v1/models/fraud }
    backend: fraud-v1
  - name: job-status
    match: { pathPrefix: /v1/jobs }
    backend: jobs
`, { poolEndpoints: { cpu: [worker.url] } });
    try {
      const rows = generateTransactions(70, { seed: 12 });
      const submitted = await postJson(`${gw.url}/v1/models/fraud/jobs`, { instances: rows });
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      const job = submitted.body as { id: string; version: string };
      assert.equal(job.version, '1', 'the worker\'s highest version is 2; the route pins 1');
      await worker.jobs.idle();
      const done = (await (await fetch(`${gw.url}/v1/jobs/${job.id}`)).json()) as { state: string; predictions: number[][] };
      assert.equal(done.state, 'succeeded');
      const direct = (await postJson(`${worker.url}/v2/models/fraud/versions/1/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [6, 30], data: rows.slice(64) }] })).body as { outputs: { data: number[] }[] };
      assert.deepEqual(done.predictions.slice(64).flat(), direct.outputs[0]!.data);
    } finally {
      await gw.stop();
      await worker.drain();
    }
  });
});
