import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoRepository } from '../../helpers/worker.js';
import { spawnCli } from '../../helpers/process.js';
import { GC_TRIGGER_FLAGS } from '../../../worker/node-flags.js';

/** Starts `switchyard worker` on iris with NODE_OPTIONS as given; returns its log lines up to `listening`, then stops it. */
async function startAndStop(nodeOptions: string): Promise<{ listening: Record<string, unknown>; lines: unknown[] }> {
  const cli = spawnCli(['worker', '--models', await demoRepository(['iris']), '--http-port', '0', '--host', '127.0.0.1'], { NODE_OPTIONS: nodeOptions });
  try {
    const listening = await cli.waitForLine((l) => l.event === 'listening');
    return { listening, lines: [...cli.lines] };
  } finally {
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
  }
}

const hint = (lines: unknown[]) => lines.filter((l) => typeof l === 'object' && l !== null && 'nodeFlags' in l);

describe('switchyard worker: the young generation it runs with', () => {
  it('reports 64 MiB semi-spaces set in NODE_OPTIONS, as the deploy manifests set them, and gives no hint', async () => {
    const { listening, lines } = await startAndStop('--max-semi-space-size=64');
    assert.equal(listening.maxSemiSpaceMb, 64);
    assert.deepEqual(listening.gcTriggers, GC_TRIGGER_FLAGS, 'the worker sets its full-GC triggers whatever node was started with');
    assert.deepEqual(hint(lines), []);
  });

  it("reports null at V8's default and says once which flag to add", async () => {
    const { listening, lines } = await startAndStop('');
    assert.equal(listening.maxSemiSpaceMb, null);
    assert.deepEqual(listening.gcTriggers, GC_TRIGGER_FLAGS);
    const said = hint(lines) as { nodeFlags: string[]; msg: string }[];
    assert.equal(said.length, 1);
    assert.deepEqual(said[0]!.nodeFlags, ['--max-semi-space-size=64']);
    assert.match(said[0]!.msg, /young generation is at its default size/);
  });
});
