import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN_ENV } from '../../../gateway/admin/auth.js';
import { WORKER_TOKEN_ENV } from '../../../worker/server/control-auth.js';
import { CLI_PATH, spawnCli, type SpawnedCli } from '../../helpers/process.js';
import { composeDefault, healthcheckUrl, readCompose, readRepoFile } from '../../helpers/deploy/deploy-files.js';

const run = promisify(execFile);
const compose = readCompose('docker-compose.yml');
const IRIS_INFER = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] };

/** Runs a Compose health check's `node -e` script against a port of this machine; resolves with its exit code. */
function runHealthcheck(service: string, port: number): Promise<number | null> {
  const test = compose.services[service]!.healthcheck!.test;
  assert.equal(test[1], 'node');
  const url = healthcheckUrl(compose.services[service]!.healthcheck!);
  const script = test[3]!.replace(url.origin, `http://127.0.0.1:${port}`);
  return new Promise((resolve) => spawn(process.execPath, ['-e', script], { stdio: 'ignore' }).once('exit', resolve));
}

/**
 * docker-compose.yml without Docker: each Switchyard service's own command, run here with the
 * container paths mapped to a temporary folder, fixed ports to free ones, and service names to
 * the addresses they got. What this proves: the commands, the config and the health checks
 * work together; what it cannot: the images themselves (there is no Docker engine here).
 */
describe('docker-compose.yml, its services run as processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-compose-'));
  const modelsDir = join(dir, 'models');
  const token = composeDefault(compose.services['gateway-1']!.environment![ADMIN_TOKEN_ENV]!);
  const processes: SpawnedCli[] = [];
  const workers = new Map<string, number>();
  const gateways = new Map<string, { http: number; admin: number }>();
  let modelsJob: { stdout: string };

  /** A container's command with /models mapped to the temporary repository and fixed ports to free ones. */
  const local = (args: readonly string[]): string[] =>
    args.map((a) => (a === '/models' ? modelsDir : a)).map((a, i, all) => (['--http-port', '--grpc-port'].includes(all[i - 1] ?? '') ? '0' : a));

  before(async () => {
    // `switchyard` on PATH, as the image links it.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'switchyard'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_PATH}" "$@"\n`);
    chmodSync(join(bin, 'switchyard'), 0o755);
    const models = compose.services.models!;
    const script = models.command![0]!.replaceAll('/models', modelsDir);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    modelsJob = await run(models.entrypoint![0]!, [...models.entrypoint!.slice(1), script], { env });

    for (const name of ['worker-stable', 'worker-canary']) {
      // The workers listen off loopback, so they start only with the token Compose gives them.
      const cli = spawnCli(local(compose.services[name]!.command!), { [WORKER_TOKEN_ENV]: composeDefault(compose.services[name]!.environment![WORKER_TOKEN_ENV]!) });
      processes.push(cli);
      workers.set(name, (await cli.waitForLine((l) => l.event === 'listening')).httpPort as number);
    }

    // The gateway config with the service names resolved, as Docker's DNS would.
    let config = readRepoFile('deploy/compose/switchyard.yaml');
    for (const [name, port] of workers) config = config.replace(`http://${name}:8000`, `http://127.0.0.1:${port}`);
    config = config.replace('redis://redis:6379', 'redis://127.0.0.1:6379').replace('switchyard:compose:', `switchyard:test-compose-${process.pid}-${Date.now()}:`);
    const configDir = join(dir, 'etc-switchyard');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'switchyard.yaml'), config);
    for (const name of ['gateway-1', 'gateway-2']) {
      const args = compose.services[name]!.command!.map((a) => a.replace('/etc/switchyard', configDir));
      const cli = spawnCli([...args, '--http-port', '0', '--admin-port', '0', '--grpc-port', '0'], { [ADMIN_TOKEN_ENV]: token });
      processes.push(cli);
      const line = await cli.waitForLine((l) => l.event === 'listening');
      gateways.set(name, { http: line.httpPort as number, admin: line.adminPort as number });
    }
  });

  after(async () => {
    for (const p of processes) p.child.kill('SIGTERM');
    const codes = await Promise.all(processes.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(codes, processes.map(() => 0), 'every service stops cleanly on SIGTERM');
  });

  it('builds the demo models once; a second run finds them and builds nothing', async () => {
    assert.match(modelsJob.stdout, /wrote 3 model versions/);
    const bin = join(dir, 'bin');
    const again = await run('sh', ['-c', compose.services.models!.command![0]!.replaceAll('/models', modelsDir)], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    assert.equal(again.stdout, 'models found in /models\n'.replace('/models', modelsDir));
  });

  it('passes every health check: workers ready, gateways ready', async () => {
    for (const [name, port] of workers) assert.equal(await runHealthcheck(name, port), 0, name);
    for (const [name, { http }] of gateways) assert.equal(await runHealthcheck(name, http), 0, name);
  });

  it('fails a health check where nothing listens', async () => {
    const closed = (await import('node:net')).createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.equal(await runHealthcheck('gateway-1', port), 1);
  });

  it("answers the README's curl through either gateway replica", async () => {
    for (const [name, { http }] of gateways) {
      const res = await fetch(`http://127.0.0.1:${http}/v2/models/iris/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(IRIS_INFER) });
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get('x-switchyard-backend'), 'iris-v1');
      const body = (await res.json()) as { model_name: string; model_version: string; outputs: { name: string; shape: number[] }[] };
      assert.deepEqual([body.model_name, body.model_version, body.outputs[0]!.name, body.outputs[0]!.shape], ['iris', '1', 'probabilities', [1, 3]]);
    }
  });

  it('sends the fraud canary to the canary pool and stable to the stable pool', async () => {
    const { http } = gateways.get('gateway-1')!;
    // 30 features: time (s), 28 components, amount (euros).
    const fraud = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: [100, ...Array<number>(28).fill(0), 10] }] };
    const seen = new Map<string, string>();
    for (let i = 0; seen.size < 2 && i < 200; i++) {
      const res = await fetch(`http://127.0.0.1:${http}/v2/models/fraud/infer`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-switchyard-unit': `user-${i}` }, body: JSON.stringify(fraud),
      });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      seen.set(res.headers.get('x-switchyard-backend')!, res.headers.get('x-switchyard-version')!);
    }
    assert.deepEqual(Object.fromEntries([...seen].sort()), { 'fraud-v1': '1', 'fraud-v2': '2' });
  });

  it('serves /metrics where Prometheus scrapes it, with the series the dashboard reads', async () => {
    for (const [name, { admin }] of gateways) {
      const text = await (await fetch(`http://127.0.0.1:${admin}/metrics`)).text();
      assert.match(text, /switchyard_gateway_requests_total\{route="iris",backend="iris-v1",variant="",outcome="success"\} [1-9]/, name);
    }
    for (const [name, port] of workers) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(text, /switchyard_worker_batch_size_count\{model="\w+",version="\d"\} [1-9]/, name);
    }
  });

  it('guards the admin API with the token Compose sets', async () => {
    const { admin } = gateways.get('gateway-2')!;
    assert.equal((await fetch(`http://127.0.0.1:${admin}/admin/routes`)).status, 401);
    const res = await fetch(`http://127.0.0.1:${admin}/admin/routes`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const { routes } = (await res.json()) as { routes: { name: string }[] };
    assert.deepEqual(routes.map((r) => r.name), ['fraud', 'iris']);
  });
});
