import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { demoModelsDir } from '../../helpers/demo-models.js';
import { CLI_PATH } from '../../helpers/process.js';
import { silentLogger } from '../../../observability/logger.js';
import { createModelRunner } from '../../../worker/batching/model-runner.js';
import { startWorker } from '../../../worker/start-worker.js';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI run asynchronously, for commands that talk to a worker in this process. */
function cliAsync(...args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout }));
  });
}

describe('switchyard models register and list', () => {
  it("refuses a name outside the worker's model name rule: exit 1, one line, nothing written", async () => {
    const parent = await mkdtemp(join(tmpdir(), 'switchyard-cli-names-'));
    const repo = join(parent, 'repo');
    const file = join(await demoModelsDir(), 'iris', '1', 'model.onnx');
    const r = cli('models', 'register', '--repo', repo, '--name', '../evil', '--file', file);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `switchyard models register: --name: expected a model name (1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit, without '..'), received "../evil"\n`);
    assert.deepEqual(await readdir(parent), []);
  });

  it('registers versions with provenance, refuses to overwrite one (exit 1), and lists them with their state on a worker', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'switchyard-cli-repo-'));
    const file = join(await demoModelsDir(), 'iris', '1', 'model.onnx');
    const first = cli('models', 'register', '--repo', repo, '--name', 'iris', '--file', file, '--source-commit', '0123456789abcdef', '--data-version', 'iris-v1', '--metrics', '{"accuracy":0.98}');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^registered iris version 1 \(sha256 [0-9a-f]{64}, \d+ bytes\)\n$/);
    const again = cli('models', 'register', '--repo', repo, '--name', 'iris', '--version', '1', '--file', file);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^switchyard models register: iris version 1 already exists at .*; versions are immutable, register a new version instead\n$/);
    const badMetrics = cli('models', 'register', '--repo', repo, '--name', 'iris', '--file', file, '--metrics', '{"auc":"high"}');
    assert.equal(badMetrics.code, 2);
    assert.match(badMetrics.stderr, /--metrics: 'auc' must be a finite number, received "high"/);
    assert.equal(cli('models', 'register', '--repo', repo, '--name', 'iris', '--file', file).code, 0);

    const worker = await startWorker({ modelsDir: repo, httpPort: 0, host: '127.0.0.1', log: silentLogger(), createRunner: createModelRunner });
    try {
      const url = `http://127.0.0.1:${worker.httpPort}`;
      const table = await cliAsync('models', 'list', '--repo', repo, '--worker', url, '--worker', 'http://127.0.0.1:1');
      assert.equal(table.code, 0);
      const lines = table.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, new RegExp(`^MODEL +VERSION +POLICY +SHA256 +CREATED +SOURCE COMMIT +DATA +ON ${url} +ON http://127.0.0.1:1$`));
      assert.match(lines[1]!, /^iris +1 +loaded +[0-9a-f]{12} +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d +0123456789ab +iris-v1 +READY +UNREACHABLE$/);
      assert.match(lines[2]!, /^iris +2 +loaded +[0-9a-f]{12} +\S+ +- +- +READY +UNREACHABLE$/);
      const json = JSON.parse((await cliAsync('models', 'list', '--repo', repo, '--json')).stdout) as { models: { versions: { version: string; kept: boolean; manifest: { metrics: Record<string, number> } }[] }[] };
      assert.deepEqual(json.models[0]!.versions.map((v) => [v.version, v.kept, v.manifest.metrics]), [['1', true, { accuracy: 0.98 }], ['2', true, {}]]);
    } finally {
      await worker.drain();
    }
  });
});
