import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI_PATH } from '../../helpers/process.js';
import { repoRoot } from '../../helpers/repo-root.js';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the switchyard process', () => {
  it('prints its version from package.json', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = cli(flag);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `switchyard ${version}\n`);
    }
  });

  it("answers a user's mistake with one line and exit 1, not a stack trace", () => {
    const r = cli('worker', '--models', '/nonexistent', '--host', '127.0.0.1');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "switchyard worker: --models: /nonexistent is not a directory; expected a model repository laid out as DIR/<name>/<version>/model.onnx (build one with 'switchyard models build --out DIR')\n");
    assert.equal(r.stdout, '');
    const missingConfig = cli('up', '-c', '/nonexistent/switchyard.yaml');
    assert.equal(missingConfig.code, 1);
    assert.match(missingConfig.stderr, /^switchyard up: the config has 1 error/);
    assert.doesNotMatch(missingConfig.stderr, /\n\s+at /);
  });

  it('rejects an unknown --log-format with exit 2', () => {
    const r = cli('--log-format', 'xml', 'rollout', 'list');
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "switchyard: --log-format: expected json or pretty, received 'xml'\n");
  });

  it('stops quietly with exit 0 when the reader of its output has gone (| head)', async () => {
    const child = spawn(process.execPath, [CLI_PATH, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Close our end before the process has started, so its first write finds no reader.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  it("keeps dist/cli/main.js executable after the build script's copy step (npm link keeps working)", () => {
    const scripts = (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { scripts: { build: string } }).scripts;
    const postTsc = scripts.build.split(' && ').at(-1)!;
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-build-'));
    mkdirSync(join(dir, 'gateway/admin/dashboard/static'), { recursive: true });
    mkdirSync(join(dir, 'dist/cli'), { recursive: true });
    writeFileSync(join(dir, 'dist/cli/main.js'), '');
    // tsc writes files 0644: the executable bit is the build's to set.
    chmodSync(join(dir, 'dist/cli/main.js'), 0o644);
    execFileSync('sh', ['-c', postTsc], { cwd: dir });
    assert.equal(statSync(join(dir, 'dist/cli/main.js')).mode & 0o111, 0o111);
  });
});
