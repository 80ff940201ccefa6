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
  // The demo's 40 s interval tells its story in about two minutes; 5 s tells the same one here.
  await writeFile(path, text.replace(/port: \d+/g, 'port: 0').replace(/models: [^,}\s]+/, `models: ${await demoModelsDir()}`).replace(/interval: \d+s/, 'interval: 5s'));
  return path;
}

describe('the demo (npm start = switchyard up --demo-traffic)', () => {
  it('passes the golden gate, then rolls the fraud canary back on its own; rollout status says why', { timeout: 120_000 }, async () => {
    const cli = spawnCli(['up', '--log-format', 'json', '-c', await demoConfig(), '--demo-traffic']);
    try {
      const listening = await cli.waitForLine((l) => l.event === 'listening' && typeof l.adminPort === 'number' && l.workers !== undefined);
      const golden = await cli.waitForLine((l) => l.event === 'rollout_golden_passed' || l.event === 'rollout_blocked');
      assert.equal(golden.event, 'rollout_golden_passed', String(golden.reason));
      const aborted = await cli.waitForLine((l) => l.event === 'rollout_aborted');
      assert.equal(aborted.by, 'analysis');
      assert.match(String(aborted.reason), /^disagreement 0\.\d+ above 0\.05; 3 failed intervals in a row reached failureLimit 3$/);
      const status = spawnCli(['rollout', 'status', 'fraud', '--json', '--admin', `http://127.0.0.1:${listening.adminPort as number}`]);
      assert.equal(await status.exited, 0);
      const shown = JSON.parse(status.lines.join('\n')) as { phase: string; weights: { canary: number }; analyses: { verdict: string }[] };
      assert.equal(shown.phase, 'aborted');
      assert.equal(shown.weights.canary, 0);
      assert.deepEqual(shown.analyses.slice(-3).map((a) => a.verdict), ['fail', 'fail', 'fail']);
      // With JSON logs stdout is JSON lines only (the banner went to stderr), so `| jq` works.
      assert.deepEqual(cli.lines.filter((l) => typeof l !== 'object' || l === null), []);
    } finally {
      cli.child.kill('SIGINT');
    }
    assert.equal(await cli.exited, 0);
    assert.deepEqual(cli.lines.filter((l) => typeof l !== 'object' || l === null), [], 'nor while it stops');
  });
});
