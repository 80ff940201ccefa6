import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchBuffers } from '../../../../worker/runtime/batch-buffers.js';
import { mergeTensors } from '../../../../worker/batching/tensor-batch.js';

describe('BatchBuffers', () => {
  it('merges batches into one buffer per input, reused while it fits and replaced when a batch outgrows it or it was transferred away', () => {
    const buffers = new BatchBuffers();
    const part = (v: number) => ({ name: 'x', datatype: 'FP32' as const, shape: [1, 2], data: Float32Array.of(v, v) });
    const first = mergeTensors([part(1), part(2), part(3)], buffers.allocate);
    assert.deepEqual([...first.data], [1, 1, 2, 2, 3, 3]);
    const smaller = mergeTensors([part(4), part(5)], buffers.allocate);
    assert.equal((smaller.data as Float32Array).buffer, (first.data as Float32Array).buffer);
    assert.deepEqual([...smaller.data], [4, 4, 5, 5]);
    assert.deepEqual(smaller.shape, [2, 2]);
    const larger = mergeTensors([part(6), part(7), part(8), part(9)], buffers.allocate);
    assert.notEqual((larger.data as Float32Array).buffer, (first.data as Float32Array).buffer);
    assert.deepEqual([...larger.data], [6, 6, 7, 7, 8, 8, 9, 9]);
    structuredClone(larger.data, { transfer: [(larger.data as Float32Array).buffer as ArrayBuffer] });
    const after = mergeTensors([part(1), part(2)], buffers.allocate);
    assert.deepEqual([...after.data], [1, 1, 2, 2]);
  });

  it('keeps inputs apart by name, each viewed as its datatype', () => {
    const buffers = new BatchBuffers();
    const a = buffers.allocate('a', 'FP32', 4);
    const b = buffers.allocate('b', 'INT64', 2);
    assert.ok(a instanceof Float32Array && b instanceof BigInt64Array);
    assert.notEqual(a.buffer, b.buffer);
  });
});
