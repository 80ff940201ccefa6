import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import type { Tensor } from '../../../../protocol/tensor.js';
import { allocateOwned } from '../../../../protocol/owned-buffer.js';
import { MERGE_BEFORE_POSTING_BYTES, forTransfer, fromErrorShape, partsForTransfer, toErrorShape } from '../../../../worker/runtime/thread-messages.js';

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
  it('posts views on a request body\'s own (shared) buffer as they are, without copying or transferring them', () => {
    // Two parts of just over half the limit each: together too large to merge before posting.
    const floats = MERGE_BEFORE_POSTING_BYTES / 8 + 1;
    const body = allocateOwned(8 * floats + 5, 5);
    const a = new Float32Array(body.buffer, body.byteOffset + 5, floats);
    const b = new Float32Array(body.buffer, body.byteOffset + 5 + 4 * floats, floats);
    const { parts, transfer } = partsForTransfer([[{ name: 'x', datatype: 'FP32', shape: [floats], data: a }], [{ name: 'x', datatype: 'FP32', shape: [floats], data: b }]]);
    assert.equal(parts.length, 2);
    assert.equal(parts[0]![0]!.data, a);
    assert.equal(parts[1]![0]!.data, b);
    assert.deepEqual(transfer, []);
    assert.equal((body.byteOffset + 5) % 8, 0);
  });

  it('lists a buffer that several parts of a large batch view once', () => {
    const floats = MERGE_BEFORE_POSTING_BYTES / 8 + 1;
    const whole = new Float32Array(2 * floats);
    const part = (data: Float32Array) => [{ name: 'x', datatype: 'FP32' as const, shape: [floats], data }];
    const { transfer } = partsForTransfer([part(whole), part(whole)]);
    assert.deepEqual(transfer, [whole.buffer]);
  });

  it('merges a small batch into one part per input, in caller order, and transfers only the merged buffers', () => {
    const rows = (values: number[][]) => new Float32Array(values.flat());
    const callerA = [
      { name: 'x', datatype: 'FP32' as const, shape: [1, 2], data: rows([[1, 2]]) },
      { name: 'ids', datatype: 'BYTES' as const, shape: [1], data: ['a'] },
    ];
    const callerB = [
      { name: 'x', datatype: 'FP32' as const, shape: [2, 2], data: rows([[3, 4], [5, 6]]) },
      { name: 'ids', datatype: 'BYTES' as const, shape: [2], data: ['b', 'c'] },
    ];
    const { parts, transfer } = partsForTransfer([callerA, callerB]);
    assert.equal(parts.length, 1);
    const [x, ids] = parts[0]!;
    assert.deepEqual(x!.shape, [3, 2]);
    assert.deepEqual([...(x!.data as Float32Array)], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(ids, { name: 'ids', datatype: 'BYTES', shape: [3], data: ['a', 'b', 'c'] });
    assert.deepEqual(transfer, [(x!.data as Float32Array).buffer]);
    // The callers' own arrays are copied, not given away.
    assert.deepEqual([...(callerA[0]!.data as Float32Array)], [1, 2]);
  });

  it('merges a batch of exactly the limit, and not one byte more', () => {
    const part = (bytes: number) => [{ name: 'x', datatype: 'UINT8' as const, shape: [1, bytes], data: new Uint8Array(bytes) }];
    const half = MERGE_BEFORE_POSTING_BYTES / 2;
    assert.equal(partsForTransfer([part(half), part(half)]).parts.length, 1);
    assert.equal(partsForTransfer([part(half), part(half + 1)]).parts.length, 2);
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
