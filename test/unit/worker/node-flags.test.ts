import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { GC_TRIGGER_FLAGS, WORKER_NODE_FLAGS, applyGcTriggers, maxSemiSpaceMb } from '../../../worker/node-flags.js';

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

  it('sets the full-GC triggers on the running process, soft then hard', () => {
    const set: string[] = [];
    const applied = applyGcTriggers((flag) => set.push(flag));
    assert.deepEqual(set, ['--incremental-marking-soft-trigger=90', '--incremental-marking-hard-trigger=97']);
    assert.deepEqual(applied, set);
  });

  it("names triggers this node's V8 knows (V8 only prints a line for a flag it does not know, and goes on)", () => {
    const known = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    for (const flag of GC_TRIGGER_FLAGS) {
      const name = flag.slice(0, flag.indexOf('='));
      assert.ok(known.includes(`  ${name} (`), `${name} is not among node --v8-options`);
    }
  });
});
