import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../../observability/logger.js';
import { createModelRunner } from '../../../../worker/batching/model-runner.js';
import { startWorker } from '../../../../worker/start-worker.js';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { startTestGateway } from '../../../helpers/gateway/start-test-gateway.js';

/** The demo iris model with three batcher priority levels (Triton's priority_levels). */
async function irisWithPriorityLevels(): Promise<string> {
  const source = join(await demoModelsDir(), 'iris');
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-priority-'));
  await mkdir(join(dir, 'iris'));
  await symlink(join(source, '1'), join(dir, 'iris', '1'));
  const yaml = (await readFile(join(source, 'model.yaml'), 'utf8')).replace('dynamicBatching:\n', 'dynamicBatching:\n  priorityLevels: 3\n');
  await writeFile(join(dir, 'iris', 'model.yaml'), yaml);
  return dir;
}

describe('priority classes reach the worker batcher', () => {
  it('sends each class as its v2 priority level, which a real worker with three levels accepts', async () => {
    const worker = await startWorker({ modelsDir: await irisWithPriorityLevels(), httpPort: 0, host: '127.0.0.1', log: silentLogger(), createRunner: createModelRunner });
    const gw = await startTestGateway(`backends: { iris: { endpoints: [http://127.0.0.1:${worker.httpPort}], model: iris, version: "1" } }
routes:
  - name: iris
    match: { pathPrefix: /v2/models/iris }
    backend: iris
    resilience: { priority: { default: low, workerLevels: { high: 1, normal: 2, low: 3 } } }
`);
    try {
      const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] });
      for (const cls of ['high', 'normal', 'low', undefined]) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (cls !== undefined) headers['x-switchyard-priority'] = cls;
        const res = await fetch(`${gw.url}/v2/models/iris/infer`, { method: 'POST', headers, body });
        assert.equal(res.status, 200, `class ${cls ?? '(default low)'}`);
        await res.arrayBuffer();
      }
      // The worker checks the level: one past priorityLevels is refused, so the levels above were read.
      const tooLow = await fetch(`http://127.0.0.1:${worker.httpPort}/v2/models/iris/infer`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...JSON.parse(body), parameters: { priority: 4 } }),
      });
      assert.equal(tooLow.status, 400);
      assert.match(await tooLow.text(), /parameters\.priority: expected an integer level 1\.\.3/);
    } finally {
      await gw.stop();
      await worker.drain();
    }
  });
});
