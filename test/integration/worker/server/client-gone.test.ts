import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../../observability/logger.js';
import { createModelRunner } from '../../../../worker/batching/model-runner.js';
import { startWorker, type RunningWorker } from '../../../../worker/start-worker.js';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { postJson } from '../../../helpers/http.js';
import { until } from '../../../helpers/process.js';

/** iris, whose batcher holds a lone request for a minute waiting for company. */
async function patientIrisRepository(): Promise<string> {
  const source = join(await demoModelsDir(), 'iris');
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-patient-'));
  await mkdir(join(dir, 'iris'));
  await symlink(join(source, '1'), join(dir, 'iris', '1'));
  const yaml = await readFile(join(source, 'model.yaml'), 'utf8');
  await writeFile(join(dir, 'iris', 'model.yaml'), yaml.replace(/maxQueueDelayMicroseconds: \d+/, 'maxQueueDelayMicroseconds: 60000000'));
  return dir;
}

const row = [5.1, 3.5, 1.4, 0.2];

describe('worker REST server: a client that leaves while its request is queued', () => {
  let worker: RunningWorker;
  let url: string;
  before(async () => {
    worker = await startWorker({ modelsDir: await patientIrisRepository(), httpPort: 0, host: '127.0.0.1', log: silentLogger(), createRunner: createModelRunner });
    url = `http://127.0.0.1:${worker.httpPort}`;
  });
  after(async () => {
    await worker.drain();
  });

  it('takes the request out of the queue, never runs it, counts it as cancelled and keeps serving', async () => {
    const runner = worker.registry.resolve('iris', '1').runner;
    const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: row }] });
    const req = request(`${url}/v2/models/iris/versions/1/infer`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    req.on('error', () => undefined);
    req.end(body);
    await until(async () => runner.queueDepth === 1, 'the request to wait in the queue');

    req.destroy();
    await until(async () => runner.queueDepth === 0, 'the request to leave the queue');
    const metrics = async () => (await fetch(`${url}/metrics`)).text();
    await until(async () => /^switchyard_worker_requests_total\{model="iris",version="1",outcome="cancelled"\} 1$/m.test(await metrics()), 'the cancellation to be counted');

    // A full batch (32 rows, the max) goes at once; it is the only batch that ran.
    const full = await postJson(`${url}/v2/models/iris/versions/1/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [32, 4], data: Array.from({ length: 32 }, () => row) }] });
    assert.equal(full.status, 200);
    const text = await metrics();
    assert.match(text, /^switchyard_worker_batch_size_count\{model="iris",version="1"\} 1$/m);
    assert.match(text, /^switchyard_worker_batch_size_sum\{model="iris",version="1"\} 32$/m);
    assert.match(text, /^switchyard_worker_requests_total\{model="iris",version="1",outcome="ok"\} 1$/m);
  });
});
