import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { demoModelsDir } from '../../helpers/demo-models.js';
import { spawnCli } from '../../helpers/process.js';
import { repoRoot } from '../../helpers/repo-root.js';

/** The demo config with free ports and the cached demo models, as `npm start` runs it. */
async function demoConfig(): Promise<string> {
  const text = await readFile(join(repoRoot(), 'config', 'switchyard.yaml'), 'utf8');
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-demo-'));
  const path = join(dir, 'switchyard.yaml');
  await writeFile(path, text.replace(/port: \d+/g, 'port: 0').replace(/models: [^,}\s]+/, `models: ${await demoModelsDir()}`));
  return path;
}

describe('the demo (npm start = switchyard up --demo-traffic)', () => {
  it('passes the golden gate, then rolls the fraud canary back on its own; rollout status says why', { timeout: 120_000 }, async () => {
    const cli = spawnCli(['up', '-c', await demoConfig(), '--demo-traffic']);
    try {
      const listening = await cli.waitForLine((l) => l.event === 'listening' && typeof l.adminPort === 'number' && l.workers !== undefined);
      const golden = await cli.waitForLine((l) => l.event === 'rollout_golden_passed' || l.event === 'rollout_blocked');
      assert.equal(golden.event, 'rollout_golden_passed', String(golden.reason));
      const aborted = await cli.waitForLine((l) => l.event === 'rollout_aborted');
      assert.equal(aborted.by, 'analysis');
      assert.match(String(aborted.reason), /^disagreement 0\.\d+ above 0\.05; 2 failed intervals in a row reached failureLimit 2$/);
      const status = spawnCli(['rollout', 'status', 'fraud', '--json', '--admin', `http://127.0.0.1:${listening.adminPort as number}`]);
      assert.equal(await status.exited, 0);
      const shown = JSON.parse(status.lines.join('\n')) as { phase: string; weights: { canary: number }; analyses: { verdict: string }[] };
      assert.equal(shown.phase, 'aborted');
      assert.equal(shown.weights.canary, 0);
      assert.deepEqual(shown.analyses.slice(-2).map((a) => a.verdict), ['fail', 'fail']);
    } finally {
      cli.child.kill('SIGINT');
    }
    assert.equal(await cli.exited, 0);
  });
});
