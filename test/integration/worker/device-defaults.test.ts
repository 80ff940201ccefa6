import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../observability/logger.js';
import { createModelRunner } from '../../../worker/batching/model-runner.js';
import { startWorker } from '../../../worker/start-worker.js';
import { demoRepository } from '../../helpers/worker.js';

/** A pool's device (what `switchyard up` passes as --device) applies to models that name none. */
describe('worker device defaults', () => {
  const start = async (onGpuUnavailable: 'fallback' | 'fail') =>
    startWorker({
      modelsDir: await demoRepository(['iris']),
      httpPort: 0,
      host: '127.0.0.1',
      log: silentLogger(),
      createRunner: createModelRunner,
      deviceDefaults: { device: 'cuda:0', onGpuUnavailable },
    });

  it('falls back to CPU and says why when the pool asks for a GPU this build cannot use', async () => {
    const worker = await start('fallback');
    try {
      const [iris] = worker.registry.all();
      assert.equal(iris!.config.device, 'cuda:0');
      assert.equal(iris!.runner.device, 'cpu');
      assert.match(iris!.runner.warning ?? '', /cuda:0/);
      assert.equal(iris!.state, 'READY');
    } finally {
      await worker.drain();
    }
  });

  it('refuses to start when the pool says fail', async () => {
    await assert.rejects(start('fail'), (err: Error & { code?: string }) => err.code === 'GPU_UNAVAILABLE');
  });
});
