import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import type { Tensor } from '../../../../protocol/tensor.js';
import { allocateOwned } from '../../../../protocol/owned-buffer.js';
import { forTransfer, fromErrorShape, partsForTransfer, toErrorShape } from '../../../../worker/runtime/thread-messages.js';

describe('forTransfer', () => {
  it('transfers a typed array that is its whole buffer as is', () => {
    const tensor: Tensor = { name: 'x', datatype: 'FP32', shape: [2], data: new Float32Array([1, 2]) };
    const { tensors, transfer } = forTransfer([tensor]);
    assert.equal(tensors[0], tensor);
    assert.deepEqual(transfer, [(tensor.data as Float32Array).buffer]);
  });

  it('copies a view on part of a larger buffer, so the rest of that buffer is not taken', () => {
    const body = new ArrayBuffer(64);
    const view = new Float32Array(body, 8, 2);
    view.set([3, 4]);
    const { tensors, transfer } = forTransfer([{ name: 'x', datatype: 'FP32', shape: [2], data: view }]);
    const copied = tensors[0]!.data as Float32Array;
    assert.notEqual(copied.buffer, body);
    assert.deepEqual([...copied], [3, 4]);
    assert.deepEqual(transfer, [copied.buffer]);
  });

  it('lists a shared buffer once and sends BYTES by value', () => {
    const data = new Int32Array([1]);
    const { transfer } = forTransfer([
      { name: 'a', datatype: 'INT32', shape: [1], data },
      { name: 'b', datatype: 'INT32', shape: [1], data },
      { name: 'c', datatype: 'BYTES', shape: [1], data: ['hi'] },
    ]);
    assert.deepEqual(transfer, [data.buffer]);
  });
});

describe('partsForTransfer', () => {
  it('lists a buffer that several parts of a batch view once, and transfers a request body\'s own buffer without copying', () => {
    const body = allocateOwned(24, 5);
    const a = new Float32Array(body.buffer, body.byteOffset + 5, 2);
    const b = new Float32Array(body.buffer, body.byteOffset + 13, 2);
    const { parts, transfer } = partsForTransfer([[{ name: 'x', datatype: 'FP32', shape: [2], data: a }], [{ name: 'x', datatype: 'FP32', shape: [2], data: b }]]);
    assert.equal(parts[0]![0]!.data, a);
    assert.equal(parts[1]![0]!.data, b);
    assert.deepEqual(transfer, [body.buffer]);
    assert.equal((body.byteOffset + 5) % 8, 0);
  });
});

describe('error shapes', () => {
  it('keep a typed error code and status across the thread boundary', () => {
    const back = fromErrorShape(structuredClone(toErrorShape(new SwitchyardError('GPU_UNAVAILABLE', 503, 'no GPU'))));
    assert.ok(back instanceof SwitchyardError);
    assert.deepEqual([back.code, back.status, back.message], ['GPU_UNAVAILABLE', 503, 'no GPU']);
    const plain = fromErrorShape(toErrorShape(new Error('bad feed')));
    assert.ok(!(plain instanceof SwitchyardError));
    assert.equal(plain.message, 'bad feed');
  });
});
