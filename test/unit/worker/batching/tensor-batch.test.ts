import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATATYPES, DATATYPE_INFO, type Datatype, type NumericArray } from '../../../../protocol/datatypes.js';
import type { Tensor } from '../../../../protocol/tensor.js';
import { copyTensor, mergeTensors, rowCount, shapeKey, splitTensor } from '../../../../worker/batching/tensor-batch.js';

/** A [rows, 2] tensor whose elements count up from `start`. */
function tensor(datatype: Datatype, rows: number, start: number): Tensor {
  const n = rows * 2;
  const data = datatype === 'BYTES'
    ? Array.from({ length: n }, (_, i) => `s${start + i}`)
    : DATATYPE_INFO[datatype].create(n);
  if (datatype !== 'BYTES') {
    const numeric = data as NumericArray;
    for (let i = 0; i < n; i++) {
      const v = (start + i) % 100;
      if (DATATYPE_INFO[datatype].isBigInt) (numeric as BigInt64Array)[i] = BigInt(v) * (datatype === 'INT64' ? -1n : 1n);
      else (numeric as Float32Array)[i] = datatype === 'BOOL' ? v % 2 : v + (datatype.startsWith('FP') && datatype !== 'FP16' ? 0.5 : 0);
    }
  }
  return { name: 'x', datatype, shape: [rows, 2], data };
}

describe('mergeTensors / splitTensor', () => {
  for (const datatype of DATATYPES) {
    it(`${datatype}: merging rows 1, 3, 2 and splitting them back returns each part unchanged`, () => {
      const parts = [tensor(datatype, 1, 0), tensor(datatype, 3, 2), tensor(datatype, 2, 8)];
      const merged = mergeTensors(parts);
      assert.deepEqual(merged.shape, [6, 2]);
      assert.equal(merged.datatype, datatype);
      assert.equal(merged.data.constructor, parts[0]!.data.constructor);
      assert.deepEqual([...merged.data], parts.flatMap((p) => [...p.data]));
      const pieces = splitTensor(merged, [1, 3, 2]);
      pieces.forEach((piece, i) => {
        assert.deepEqual(piece.shape, parts[i]!.shape);
        assert.deepEqual([...piece.data], [...parts[i]!.data]);
        assert.equal(piece.data.constructor, parts[i]!.data.constructor);
      });
    });
  }

  it('one part is passed through without a copy, and split into one piece is the tensor itself', () => {
    const only = tensor('FP32', 2, 0);
    assert.equal(mergeTensors([only]), only);
    assert.equal(splitTensor(only, [2])[0], only);
  });

  it('numeric pieces are views on the batch buffer, not copies', () => {
    const merged = mergeTensors([tensor('FP32', 1, 0), tensor('FP32', 1, 2)]);
    const [, second] = splitTensor(merged, [1, 1]);
    assert.equal((second!.data as Float32Array).buffer, (merged.data as Float32Array).buffer);
    assert.equal((second!.data as Float32Array).byteOffset, 8);
  });

  it('merges large parts on shared memory (copied as bytes) into a plain buffer, every element in place', () => {
    // 3000 floats (12 KB) per part: above the size from which parts are copied with one memcpy.
    const shared = (rows: number, start: number): Tensor => {
      const data = new Float32Array(new SharedArrayBuffer(rows * 1500 * 4 + 8), 8, rows * 1500);
      for (let i = 0; i < data.length; i++) data[i] = start + i / 4;
      return { name: 'img', datatype: 'FP32', shape: [rows, 1500], data };
    };
    const parts = [shared(2, 0), shared(1, 7000), shared(3, -5)];
    const merged = mergeTensors(parts);
    assert.deepEqual(merged.shape, [6, 1500]);
    assert.ok((merged.data as Float32Array).buffer instanceof ArrayBuffer);
    assert.deepEqual([...merged.data], parts.flatMap((p) => [...p.data]));
    const copied = copyTensor(parts[1]!, (_name, _datatype, length) => new Float32Array(length));
    assert.deepEqual([...copied.data], [...parts[1]!.data]);
  });

  it('merges higher-rank tensors along dim 0 only', () => {
    const a: Tensor = { name: 'img', datatype: 'UINT8', shape: [1, 2, 2], data: new Uint8Array([1, 2, 3, 4]) };
    const b: Tensor = { name: 'img', datatype: 'UINT8', shape: [2, 2, 2], data: new Uint8Array([5, 6, 7, 8, 9, 10, 11, 12]) };
    const merged = mergeTensors([a, b]);
    assert.deepEqual(merged.shape, [3, 2, 2]);
    assert.deepEqual([...splitTensor(merged, [1, 2])[1]!.data], [5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('refuses to split an output whose dim 0 is not the batch rows', () => {
    assert.throws(() => splitTensor(tensor('FP32', 3, 0), [1, 1]), /has 3 rows along dim 0, expected 2/);
  });
});

describe('rowCount / shapeKey', () => {
  it('counts rows from dim 0', () => {
    assert.equal(rowCount([tensor('FP32', 5, 0)]), 5);
  });

  it('keys on names, datatypes and non-batch dims, whatever the input order or row count', () => {
    const a: Tensor = { name: 'a', datatype: 'FP32', shape: [1, 30], data: new Float32Array(30) };
    const b: Tensor = { name: 'b', datatype: 'INT64', shape: [1, 4], data: new BigInt64Array(4) };
    const a3: Tensor = { ...a, shape: [3, 30], data: new Float32Array(90) };
    assert.equal(shapeKey([a, b]), shapeKey([b, a3]));
    assert.notEqual(shapeKey([a]), shapeKey([{ ...a, shape: [1, 31] }]));
    assert.notEqual(shapeKey([a]), shapeKey([{ ...a, datatype: 'FP64' }]));
  });
});

describe('copyTensor', () => {
  it('copies a view on shared memory into the buffer allocate gives, leaving the source as it was', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(16), 4, 6).map((_, i) => i + 1);
    const target = new Uint8Array(32);
    const asked: [string, Datatype, number][] = [];
    const copy = copyTensor({ name: 'image', datatype: 'UINT8', shape: [1, 6], data: shared }, (name, datatype, length) => {
      asked.push([name, datatype, length]);
      return target.subarray(0, length);
    });
    assert.deepEqual(asked, [['image', 'UINT8', 6]]);
    assert.equal((copy.data as Uint8Array).buffer, target.buffer);
    assert.deepEqual(Array.from(copy.data as Uint8Array), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(copy.shape, [1, 6]);
    shared.fill(0);
    assert.deepEqual(Array.from(copy.data as Uint8Array), [1, 2, 3, 4, 5, 6], 'a copy, not a view');
  });
});
