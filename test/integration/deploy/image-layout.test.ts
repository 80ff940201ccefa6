import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createInterface } from 'node:readline';
import { readRepoFile, ROOT } from '../../helpers/deploy/deploy-files.js';
import { copies, parseDockerfile, stage } from '../../helpers/deploy/dockerfile-parse.js';

/**
 * The runtime stage of the Dockerfile assembled as a folder: its COPY instructions carried out
 * from this checkout (build-stage sources from dist/, node_modules linked, since there is no
 * Docker engine here). Running the CLI from that folder shows the image holds every file the
 * code needs at run time.
 */
function assembleRuntime(into: string): string {
  const runtime = stage(parseDockerfile(readRepoFile('Dockerfile')).stages, 'runtime');
  for (const c of copies(runtime)) {
    for (const source of c.sources) {
      const from = c.from === undefined ? join(ROOT, source) : join(ROOT, relative('/app', source));
      const dest = c.dest.replace(/^\.\//, '').replace(/^\/app\/?/, '');
      const target = c.dest.endsWith('/') ? join(into, dest, basename(source)) : join(into, dest);
      if (c.from === 'deps') symlinkSync(join(ROOT, 'node_modules'), target);
      else cpSync(from, target, { recursive: true });
    }
  }
  return join(into, 'dist', 'cli', 'main.js');
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(cli: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the Dockerfile runtime stage, assembled without Docker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-image-'));
  const app = join(dir, 'app');
  const models = join(dir, 'models');
  let cli: string;

  before(() => {
    mkdirSync(app);
    cli = assembleRuntime(app);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the demo models (onnx-proto and the iris data are there)', async () => {
    const built = await runCli(cli, ['models', 'build', '--out', models, '--only', 'fraud,iris']);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /wrote 3 model versions/);
  });

  it('checks the example config it ships', async () => {
    const checked = await runCli(cli, ['config', 'check', join(app, 'config', 'switchyard.yaml')]);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  });

  it('serves a worker over REST and gRPC (the .proto files are there) and answers an inference', async () => {
    const child = spawn(process.execPath, [cli, 'worker', '--models', models, '--http-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // As in the image: off loopback (0.0.0.0), so the control plane's token is set.
      env: { ...process.env, SWITCHYARD_WORKER_TOKEN: 'image-layout-test-token' },
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const listening = await new Promise<{ httpPort: number; grpcPort: number }>((resolve, reject) => {
        // A start-up failure is printed as `switchyard: <error>`; the process may stay up with its HTTP listener open.
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          if (/^switchyard: /m.test(stderr)) reject(new Error(`the worker failed to start: ${stderr}`));
        });
        createInterface({ input: child.stdout }).on('line', (line) => {
          try {
            const parsed = JSON.parse(line) as { event?: string; httpPort: number; grpcPort: number };
            if (parsed.event === 'listening') resolve(parsed);
          } catch {
            // not a JSON log line
          }
        });
        void exited.then((code) => reject(new Error(`the worker exited (${code}): ${stderr}`)));
      });
      assert.ok(listening.grpcPort > 0);
      const res = await fetch(`http://127.0.0.1:${listening.httpPort}/v2/models/iris/infer`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { model_name: string }).model_name, 'iris');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
