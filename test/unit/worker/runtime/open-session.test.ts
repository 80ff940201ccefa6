import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InferenceSession } from 'onnxruntime-node';
import { SwitchyardError } from '../../../../protocol/errors.js';
import { openSession, type CreateSession } from '../../../../worker/runtime/open-session.js';

/** onnxruntime config entries the worker always sets: pool threads do not spin while idle. */
const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };

/** A session factory that fails for GPU providers with `gpuError`, and records the options it saw. */
function fakeCreate(gpuError = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library') {
  const seen: InferenceSession.SessionOptions[] = [];
  const session = { tag: 'session' } as unknown as InferenceSession;
  const create: CreateSession = async (_path, options) => {
    seen.push(options);
    if (options.executionProviders?.[0] !== 'cpu') throw new Error(gpuError);
    return session;
  };
  return { create, seen, session };
}

describe('openSession', () => {
  it('cpu: one session on the CPU provider with the configured threads and full graph optimisation', async () => {
    const fake = fakeCreate();
    const opened = await openSession({ modelPath: 'm.onnx', intraOpThreads: 2, interOpThreads: 0 }, fake.create);
    assert.equal(opened.session, fake.session);
    assert.equal(opened.device, 'cpu');
    assert.equal(opened.warning, undefined);
    assert.deepEqual(fake.seen, [{ graphOptimizationLevel: 'all', intraOpNumThreads: 2, extra: NO_SPINNING, executionProviders: ['cpu'] }]);
  });

  it('fallback (the default): a GPU that cannot load runs on CPU and says why', async () => {
    const fake = fakeCreate();
    const opened = await openSession({ modelPath: 'm.onnx', device: 'cuda:0' }, fake.create);
    assert.equal(opened.device, 'cpu');
    assert.equal(
      opened.warning,
      "device 'cuda:0' was requested but the CUDA execution provider could not load (OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library); running on CPU instead because onGpuUnavailable is 'fallback'",
    );
    assert.deepEqual(fake.seen.map((o) => o.executionProviders), [[{ name: 'cuda', deviceId: 0 }], ['cpu']]);
  });

  it('fail: a GPU that cannot load refuses with GPU_UNAVAILABLE and loads nothing on CPU', async () => {
    const fake = fakeCreate();
    const error = await openSession({ modelPath: 'm.onnx', device: 'cuda:0', onGpuUnavailable: 'fail' }, fake.create).catch((e: unknown) => e);
    assert.ok(error instanceof SwitchyardError);
    assert.equal(error.code, 'GPU_UNAVAILABLE');
    assert.match(error.message, /CUDA execution provider could not load \(OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library\); refusing/);
    assert.equal(fake.seen.length, 1);
  });

  it('fail: an error that is not about the provider (a broken model) is thrown as it is', async () => {
    const fake = fakeCreate('Load model from m.onnx failed: Protobuf parsing failed');
    await assert.rejects(openSession({ modelPath: 'm.onnx', device: 'cuda:0', onGpuUnavailable: 'fail' }, fake.create), /Protobuf parsing failed/);
  });

  it('fallback: a model that fails on CPU too throws the CPU error', async () => {
    const create: CreateSession = async () => { throw new Error('Protobuf parsing failed'); };
    await assert.rejects(openSession({ modelPath: 'm.onnx', device: 'cuda:0' }, create), /Protobuf parsing failed/);
  });
});
