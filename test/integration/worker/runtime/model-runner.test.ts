import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { SwitchyardError } from '../../../../protocol/errors.js';
import type { Tensor } from '../../../../protocol/tensor.js';
import { createModelRunner, type ModelRunner } from '../../../../worker/batching/model-runner.js';
import type { BatchObserver, ExecutedBatch, RejectionReason } from '../../../../worker/batching/observer.js';
import { modelConfigSchema } from '../../../../worker/repository/model-config.js';
import { demoModelsDir } from '../../../helpers/demo-models.js';

const SPECS = {
  inputs: [{ name: 'input', datatype: 'FP32' as const, shape: [-1, 30] }],
  outputs: [{ name: 'probabilities', datatype: 'FP32' as const, shape: [-1, 2] }],
};

/** Deterministic feature rows (mulberry32), in the ranges the fraud model was trained on. */
function rowsOf(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const data = new Float32Array(count * 30);
  for (let r = 0; r < count; r++) {
    data[r * 30] = random() * 172800;
    for (let f = 1; f < 29; f++) data[r * 30 + f] = (random() - 0.5) * 6;
    data[r * 30 + 29] = random() * 500;
  }
  return data;
}

const input = (data: Float32Array, width = 30): Tensor => ({ name: 'input', datatype: 'FP32', shape: [data.length / width, width], data });

function recordingObserver() {
  const executed: ExecutedBatch[] = [];
  const rejected: RejectionReason[] = [];
  const observer: BatchObserver = {
    batchExecuted: (_labels, batch) => executed.push(batch),
    queueDepthChanged: () => undefined,
    requestRejected: (_labels, reason) => rejected.push(reason),
  };
  return { observer, executed, rejected };
}

describe('model runner on onnxruntime (fraud demo model)', { timeout: 120_000 }, () => {
  let modelPath = '';
  const runners: ModelRunner[] = [];
  async function runner(config: unknown, observer?: BatchObserver): Promise<ModelRunner> {
    const started = await createModelRunner({ model: 'fraud', version: '1', modelPath, config: modelConfigSchema.parse(config), ...SPECS, observer });
    runners.push(started);
    return started;
  }

  before(async () => {
    modelPath = join(await demoModelsDir(), 'fraud', '1', 'model.onnx');
  });
  after(async () => {
    await Promise.all(runners.map((r) => r.close()));
  });

  it('200 concurrent requests of 1..8 rows: batched answers equal unbatched ones to 1e-6', async () => {
    const recorded = recordingObserver();
    const threads = { intraOp: 1, interOp: 1 };
    const batched = await runner({ maxBatchSize: 64, dynamicBatching: { maxQueueDelayMicroseconds: 2000 }, threads }, recorded.observer);
    const alone = await runner({ maxBatchSize: 64, dynamicBatching: { enabled: false }, threads });
    await Promise.all([batched.warmup(), alone.warmup()]);
    assert.equal(batched.device, 'cpu');
    assert.equal(batched.warning, undefined);

    const requests = Array.from({ length: 200 }, (_, i) => rowsOf(1 + (i * 7) % 8, i + 1));
    // Each runner gets its own copy: running transfers (detaches) the input buffers.
    const answers = await Promise.all(requests.map((data) => batched.infer([input(data.slice())], ['probabilities'])));
    const expected = await Promise.all(requests.map((data) => alone.infer({ input: input(data.slice()) }, ['probabilities'])));

    answers.forEach((outputs, i) => {
      assert.equal(outputs.length, 1);
      const [got] = outputs;
      const [want] = expected[i]!;
      assert.equal(got!.name, 'probabilities');
      assert.deepEqual(got!.shape, [requests[i]!.length / 30, 2]);
      assert.deepEqual(want!.shape, got!.shape);
      for (let k = 0; k < got!.data.length; k++) {
        const diff = Math.abs((got!.data as Float32Array)[k]! - (want!.data as Float32Array)[k]!);
        assert.ok(diff <= 1e-6, `request ${i} element ${k} differs by ${diff}`);
      }
    });
    const requestsRun = recorded.executed.reduce((sum, b) => sum + b.requests, 0);
    assert.equal(requestsRun, 200);
    assert.ok(recorded.executed.some((b) => b.requests > 1), 'some batches held several requests');
    assert.ok(recorded.executed.every((b) => b.rows <= 64));
    assert.ok(recorded.executed.length < 200, `${recorded.executed.length} batches for 200 requests`);
  });

  it('a run that fails in onnxruntime rejects only its batch, and the runner keeps serving', async () => {
    const recorded = recordingObserver();
    const served = await runner({ maxBatchSize: 64, dynamicBatching: { maxQueueDelayMicroseconds: 2000 }, threads: { intraOp: 1 } }, recorded.observer);
    // 31 features where the model takes 30: onnxruntime refuses the feed inside session.run.
    const bad = [served.infer([input(new Float32Array(31).fill(1), 31)], []), served.infer([input(new Float32Array(62), 31)], [])];
    const good = [served.infer([input(rowsOf(2, 8))], []), served.infer([input(rowsOf(3, 9))], [])];
    for (const outcome of await Promise.allSettled(bad)) {
      assert.equal(outcome.status, 'rejected');
      const error = (outcome as PromiseRejectedResult).reason as unknown;
      assert.ok(error instanceof SwitchyardError);
      assert.equal(error.code, 'INFERENCE_FAILED');
      assert.equal(error.status, 500);
      assert.match(String((error.cause as Error).message), /invalid dimensions/i);
    }
    const goodOutputs = await Promise.all(good);
    assert.deepEqual(goodOutputs.map((o) => o[0]!.shape), [[2, 2], [3, 2]]);
    assert.deepEqual(recorded.rejected, ['inference_failed', 'inference_failed']);
    const after = await served.infer([input(rowsOf(1, 10))], ['probabilities']);
    assert.deepEqual(after[0]!.shape, [1, 2]);
  });

  it('cuda:0 on this CPU-only build falls back to CPU by default and says why', async () => {
    const gpu = await runner({ device: 'cuda:0', threads: { intraOp: 1 } });
    assert.equal(gpu.device, 'cpu');
    assert.match(
      gpu.warning ?? '',
      /^device 'cuda:0' was requested but the CUDA execution provider could not load \(.*Failed to load shared library.*\); running on CPU instead because onGpuUnavailable is 'fallback'$/s,
    );
    const [probabilities] = await gpu.infer([input(rowsOf(1, 11))], ['probabilities']);
    assert.deepEqual(probabilities!.shape, [1, 2]);
  });

  it('cuda:0 with onGpuUnavailable: fail refuses to load, with the reason', async () => {
    const error = await runner({ device: 'cuda:0', onGpuUnavailable: 'fail' }).catch((e: unknown) => e);
    assert.ok(error instanceof SwitchyardError, String(error));
    assert.equal(error.code, 'GPU_UNAVAILABLE');
    assert.match(error.message, /^device 'cuda:0' was requested but the CUDA execution provider could not load \(.*Failed to load shared library.*\); refusing to load the model because onGpuUnavailable is 'fail'/s);
  });

  it('warms up every instance, drains on close, then refuses', async () => {
    const drained = await runner({ instances: 2, maxBatchSize: 64, threads: { intraOp: 1 } });
    assert.equal(drained.instances, 2);
    await drained.warmup();
    const pending = Array.from({ length: 10 }, (_, i) => drained.infer([input(rowsOf(1 + (i % 3), 20 + i))], ['probabilities']));
    const closing = drained.close();
    const late = await drained.infer([input(rowsOf(1, 99))], []).catch((e: unknown) => e);
    assert.ok(late instanceof SwitchyardError && late.code === 'SHUTTING_DOWN');
    const outputs = await Promise.all(pending);
    assert.equal(outputs.length, 10);
    await closing;
    assert.equal(drained.queueDepth, 0);
  });
});
