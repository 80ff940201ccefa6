import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copyBytes } from '../../../protocol/copy-bytes.js';

describe('copyBytes', () => {
  it('copies a buffer into shared memory at an offset, leaving the bytes around it alone', () => {
    const target = new Uint8Array(new SharedArrayBuffer(16), 2, 12).fill(9);
    copyBytes(target, 3, Buffer.from([1, 2, 3, 4]));
    assert.deepEqual([...target], [9, 9, 9, 1, 2, 3, 4, 9, 9, 9, 9, 9]);
    assert.deepEqual([...new Uint8Array(target.buffer, 0, 2)], [0, 0]);
  });

  it('copies a view on shared memory (not a Buffer) into a plain array', () => {
    const source = new Uint8Array(new SharedArrayBuffer(8), 4, 3);
    source.set([7, 8, 9]);
    const target = new Uint8Array(5);
    copyBytes(target, 1, source);
    assert.deepEqual([...target], [0, 7, 8, 9, 0]);
  });

  it('copies nothing for an empty source (fill would refuse it)', () => {
    const target = new Uint8Array([5, 5]);
    copyBytes(target, 1, new Uint8Array(0));
    assert.deepEqual([...target], [5, 5]);
  });
});
