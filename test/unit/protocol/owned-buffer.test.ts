import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocateOwned, isOwned, releaseOwned } from '../../../protocol/owned-buffer.js';

describe('owned body buffers', () => {
  it('are shared memory of the size asked for, with byte alignAt on an 8-byte boundary', () => {
    const body = allocateOwned(150_712, 185);
    assert.equal(body.length, 150_712);
    assert.ok(body.buffer instanceof SharedArrayBuffer);
    assert.equal((body.byteOffset + 185) % 8, 0);
    assert.ok(isOwned(body.buffer));
    assert.equal(isOwned(Buffer.alloc(10).buffer), false);
    releaseOwned(body);
  });

  it('hand a buffer given back to the next body of about the same size, and not before', () => {
    const first = allocateOwned(150_000);
    const second = allocateOwned(150_000);
    assert.notEqual(second.buffer, first.buffer, 'a buffer in use is not handed out again');
    releaseOwned(first);
    const third = allocateOwned(149_000, 3);
    assert.equal(third.buffer, first.buffer, 'same 64 KiB size step: reused');
    const other = allocateOwned(600_000);
    assert.notEqual(other.buffer, first.buffer);
    for (const b of [second, third, other]) releaseOwned(b);
  });

  it('ignore a second give-back and buffers they did not make', () => {
    const body = allocateOwned(100_000);
    releaseOwned(body);
    releaseOwned(body);
    const a = allocateOwned(100_000);
    const b = allocateOwned(100_000);
    assert.equal(a.buffer, body.buffer);
    assert.notEqual(b.buffer, body.buffer, 'given back twice, but handed out once');
    releaseOwned(Buffer.alloc(100_000));
    releaseOwned(undefined);
    for (const x of [a, b]) releaseOwned(x);
  });
});
