import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WORKER_NODE_FLAGS, maxSemiSpaceMb } from '../../../worker/node-flags.js';

describe('worker node flags', () => {
  it('asks for 64 MiB semi-spaces', () => {
    assert.deepEqual(WORKER_NODE_FLAGS, ['--max-semi-space-size=64']);
    assert.equal(maxSemiSpaceMb(WORKER_NODE_FLAGS, ''), 64);
  });

  it('reads the size from the command line, else from NODE_OPTIONS; the command line wins, the last flag counts', () => {
    assert.equal(maxSemiSpaceMb([], ''), undefined);
    assert.equal(maxSemiSpaceMb(['--enable-source-maps'], '--max-old-space-size=4096'), undefined);
    assert.equal(maxSemiSpaceMb([], '--enable-source-maps  --max_semi_space_size=32'), 32);
    assert.equal(maxSemiSpaceMb(['--max-semi-space-size=128'], '--max-semi-space-size=32'), 128);
    assert.equal(maxSemiSpaceMb(['--max-semi-space-size=16', '--max-semi-space-size=64'], ''), 64);
  });

  it('ignores a flag without a whole number of MiB', () => {
    assert.equal(maxSemiSpaceMb(['--max-semi-space-size=big', '--max-semi-space-size'], ''), undefined);
  });
});
