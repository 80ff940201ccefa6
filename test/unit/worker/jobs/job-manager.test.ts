import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../../observability/logger.js';
import type { Tensor } from '../../../../protocol/tensor.js';
import { JobManager } from '../../../../worker/jobs/job-manager.js';
import { MemoryJobStore } from '../../../../worker/jobs/job-store.js';
import type { ModelRegistry } from '../../../../worker/registry/model-registry.js';
import type { LoadedVersion, VersionRunner } from '../../../../worker/registry/types.js';
import { modelConfigSchema } from '../../../../worker/repository/model-config.js';

/** A registry with one model whose runner doubles its input and records each call's priority and rows. */
function fakeRegistry(priorityLevels: number, maxBatchSize: number) {
  const calls: { priority: number | undefined; rows: number }[] = [];
  const runner: VersionRunner = {
    queueDepth: 0,
    async infer(inputs: Tensor[], _outputs, options) {
      const x = inputs[0]!;
      calls.push({ priority: options?.priority, rows: x.shape[0]! });
      return [{ name: 'y', datatype: 'FP32', shape: x.shape, data: Float32Array.from(x.data as Float32Array, (v) => 2 * v) }];
    },
    warmup: async () => undefined,
    close: async () => undefined,
  };
  const version = {
    model: 'double', version: '4', modelPath: '', state: 'READY', runner, sha256: undefined, manifest: undefined,
    config: modelConfigSchema.parse({ maxBatchSize, dynamicBatching: { priorityLevels } }),
    signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1], features: undefined, allowNaN: false }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1], labels: undefined }] },
  } as LoadedVersion;
  const registry = { resolve: () => version } as unknown as ModelRegistry;
  return { registry, calls };
}

describe('JobManager', () => {
  it('runs chunks of maxBatchSize one at a time at the model\'s lowest priority level and keeps instance order', async () => {
    const { registry, calls } = fakeRegistry(3, 4);
    const jobs = new JobManager(registry, new MemoryJobStore(), silentLogger(), { now: () => new Date('2026-11-24T00:00:00Z') });
    const job = await jobs.submit('double', [[1], [2], [3], [4], [5], [6], [7], [8], [9], [10]]);
    assert.deepEqual({ ...job, id: 'x' }, {
      id: 'x', model: 'double', version: '4', created: '2026-11-24T00:00:00.000Z', updated: '2026-11-24T00:00:00.000Z',
      chunkSize: 4, totalInstances: 10, totalChunks: 3, state: 'queued', completedChunks: 0,
    });
    await jobs.idle();
    assert.deepEqual(calls, [{ priority: 3, rows: 4 }, { priority: 3, rows: 4 }, { priority: 3, rows: 2 }]);
    assert.deepEqual(await jobs.store.results(job.id), [[2], [4], [6], [8], [10], [12], [14], [16], [18], [20]]);
    assert.equal((await jobs.store.get(job.id))!.state, 'succeeded');
  });

  it('runs jobs one after another in submission order; a cancelled queued job never runs', async () => {
    const { registry, calls } = fakeRegistry(1, 2);
    const jobs = new JobManager(registry, new MemoryJobStore(), silentLogger());
    const first = await jobs.submit('double', [[1], [2]]);
    const second = await jobs.submit('double', [[3]]);
    await jobs.cancel(second.id);
    await jobs.idle();
    assert.deepEqual(calls.map((c) => c.rows), [2]);
    assert.deepEqual([(await jobs.store.get(first.id))!.state, (await jobs.store.get(second.id))!.state], ['succeeded', 'cancelled']);
  });
});
