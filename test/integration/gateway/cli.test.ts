import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { spawnCli } from '../../helpers/process.js';
import { startEchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { REDIS_URL } from '../../helpers/redis.js';

describe('switchyard gateway (the compiled CLI)', () => {
  it('prints the listening line, proxies, and exits 0 on SIGTERM after draining', async () => {
    const upstream = await startEchoUpstream('u');
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-gw-'));
    const config = join(dir, 'gateway.yaml');
    await writeFile(config, `backends: { u: { endpoints: [${upstream.url}] } }\nroutes: [{ name: r, match: { pathPrefix: / }, backend: u }]\n`);
    const cli = spawnCli(['gateway', '-c', config, '--http-port', '0', '--admin-port', '0', '--grpc-port', '0'], { SWITCHYARD_ADMIN_TOKEN: '' });
    try {
      const line = await cli.waitForLine((l) => l.event === 'listening');
      assert.equal(typeof line.httpPort, 'number');
      assert.equal(typeof line.adminPort, 'number');
      const res = await fetch(`http://127.0.0.1:${String(line.httpPort)}/via-cli`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { url: string }).url, '/via-cli');
      assert.equal((await fetch(`http://127.0.0.1:${String(line.adminPort)}/readyz`)).status, 200);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
    } finally {
      cli.child.kill('SIGKILL');
      await upstream.close();
    }
  });

  it('exits 1 with the reason when the config is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-gw-'));
    const config = join(dir, 'gateway.yaml');
    await writeFile(config, 'routes: []\n');
    const cli = spawnCli(['gateway', '-c', config, '--http-port', '0', '--admin-port', '0', '--grpc-port', '0']);
    assert.equal(await cli.exited, 1);
  });

  it('exits 1 when a port is taken, closing the Redis connections it had opened', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-gw-'));
    const config = join(dir, 'gateway.yaml');
    await writeFile(config, `store: { redis: "${REDIS_URL}", keyPrefix: "switchyard-test:${process.pid}:cli:" }
backends: { u: { endpoints: ["http://127.0.0.1:1"] } }
routes: [{ name: r, match: { pathPrefix: / }, backend: u }]
`);
    const cli = spawnCli(['gateway', '-c', config, '--http-port', '0', '--admin-port', String(port), '--grpc-port', '0'], { SWITCHYARD_ADMIN_TOKEN: '' });
    let stderr = '';
    cli.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      assert.equal(await cli.exited, 1);
      assert.match(stderr, new RegExp(`listeners.admin: 127\\.0\\.0\\.1:${port} is already in use; pick another port`));
    } finally {
      cli.child.kill('SIGKILL');
      taken.close();
    }
  });
});
