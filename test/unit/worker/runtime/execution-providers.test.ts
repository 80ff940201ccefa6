import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executionProvidersFor, fallbackWarning, gpuUnavailableMessage, isGpuDevice } from '../../../../worker/runtime/execution-providers.js';

describe('executionProvidersFor', () => {
  it('cpu runs on the CPU provider', () => {
    assert.deepEqual(executionProvidersFor('cpu'), ['cpu']);
    assert.equal(isGpuDevice('cpu'), false);
  });

  it('cuda:N asks for CUDA on GPU N', () => {
    assert.deepEqual(executionProvidersFor('cuda:1'), [{ name: 'cuda', deviceId: 1 }]);
    assert.equal(isGpuDevice('cuda:0'), true);
  });

  it('tensorrt:N asks for TensorRT, then CUDA for what TensorRT rejects, on GPU N', () => {
    assert.deepEqual(executionProvidersFor('tensorrt:2'), [{ name: 'tensorrt', deviceId: 2 }, { name: 'cuda', deviceId: 2 }]);
  });

  it('refuses anything else, naming what it accepts', () => {
    for (const bad of ['gpu', 'cuda', 'cpu:0', 'cuda:x', 'rocm:0', '']) {
      assert.throws(() => executionProvidersFor(bad), /device must be cpu, cuda:N or tensorrt:N/, bad);
    }
  });
});

describe('GPU messages', () => {
  it('say which device, which provider, why, and what happens next', () => {
    assert.equal(
      fallbackWarning('tensorrt:0', 'Failed to load shared library'),
      "device 'tensorrt:0' was requested but the TensorRT execution provider could not load (Failed to load shared library); running on CPU instead because onGpuUnavailable is 'fallback'",
    );
    assert.match(gpuUnavailableMessage('cuda:0', 'no driver'), /^device 'cuda:0' was requested but the CUDA execution provider could not load \(no driver\); refusing to load the model because onGpuUnavailable is 'fail'/);
  });
});
