import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { adminExposureProblem, ADMIN_TOKEN_ENV } from '../../../gateway/admin/auth.js';
import { loadConfig } from '../../../gateway/config/load.js';
import type { GatewayConfig } from '../../../gateway/config/schema.js';
import { HEALTH_PATHS } from '../../../gateway/server/health-endpoints.js';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../../../gateway/start-gateway.js';
import { MODEL_READY_PATH } from '../../../gateway/upstream/backend.js';
import { deviceSchema } from '../../../worker/repository/model-config.js';
import { WORKER_NODE_FLAGS } from '../../../worker/node-flags.js';
import { WORKER_TOKEN_ENV, workerExposureProblem } from '../../../worker/server/control-auth.js';
import type { ComposeService } from '../../helpers/deploy/deploy-files.js';
import {
  cliArgumentProblems, composeDefault, envVarProblems, flagValue, healthcheckUrl, readCompose, readRepoFile, splitPort, splitVolume,
} from '../../helpers/deploy/deploy-files.js';

const compose = readCompose('docker-compose.yml');
const services = Object.entries(compose.services);
const isSwitchyard = ([, s]: [string, ComposeService]): boolean => s.image === 'switchyard:local';
const role = (s: ComposeService): string | undefined => (s.entrypoint === undefined ? s.command?.[0] : undefined);
const named = (r: string): [string, ComposeService][] => services.filter(isSwitchyard).filter(([, s]) => role(s) === r);

/** Seconds of a Compose duration such as 35s or 1m30s. */
function seconds(duration: string): number {
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(h|m|s)/g)) total += Number(n) * { h: 3600, m: 60, s: 1 }[unit as 'h' | 'm' | 's'];
  return total;
}

/** The gateway config a gateway service reads: its -c path, through its bind mount, to a file in the repo. */
function gatewayConfigFile(s: ComposeService): string {
  const path = flagValue(s.command ?? [], '-c')!;
  const mount = (s.volumes ?? []).map(splitVolume).find((v) => path.startsWith(v.target + '/'));
  assert.ok(mount?.bindPath, `-c ${path} is inside a bind mount`);
  return join(mount.bindPath, path.slice(mount.target.length + 1));
}

async function gatewayConfig(s: ComposeService): Promise<GatewayConfig> {
  const loaded = await loadConfig(gatewayConfigFile(s));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.map((e) => e.message).join('\n'));
  return loaded.config;
}

describe('docker-compose.yml', () => {
  const gateways = named('gateway');
  const workers = named('worker');

  it('runs Redis, two gateway replicas, two worker pools, a load balancer, Prometheus and Grafana', () => {
    assert.deepEqual(gateways.map(([n]) => n), ['gateway-1', 'gateway-2']);
    assert.deepEqual(workers.map(([n]) => n), ['worker-stable', 'worker-canary']);
    for (const name of ['redis', 'lb', 'prometheus', 'grafana']) assert.ok(compose.services[name], `service ${name}`);
  });

  it('gives every long-running service a health check; the one-shot models job is waited on to complete', () => {
    for (const [name, s] of services) {
      if (s.restart === 'no') {
        const waiters = services.filter(([, o]) => o.depends_on?.[name]?.condition === 'service_completed_successfully');
        assert.ok(waiters.length > 0, `${name} is a one-shot job something waits on`);
        continue;
      }
      assert.ok(s.healthcheck, `${name} has a health check`);
      assert.equal(s.healthcheck.test[0], 'CMD', `${name}: exec form, no shell needed`);
    }
  });

  it('checks health with tools each image has (node in ours, not curl)', () => {
    for (const [name, s] of services.filter(isSwitchyard)) {
      if (s.healthcheck) assert.equal(s.healthcheck.test[1], 'node', `${name} checks health with node`);
    }
  });

  it('depends only on services that exist, and waits for health only where there is a health check', () => {
    for (const [name, s] of services) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        assert.ok(compose.services[dep], `${name} depends on ${dep}, which exists`);
        if (condition === 'service_healthy') assert.ok(compose.services[dep]!.healthcheck, `${dep} has a health check for ${name} to wait on`);
      }
    }
  });

  it('passes every switchyard service only commands and options the CLI has', () => {
    for (const [name, s] of services.filter(isSwitchyard)) {
      const args = s.entrypoint === undefined ? s.command ?? [] : (/exec switchyard (.*?);/.exec(s.command?.join(' ') ?? '')?.[1] ?? '').split(' ');
      assert.deepEqual(cliArgumentProblems(args), [], name);
      assert.deepEqual(envVarProblems(args, Object.keys(s.environment ?? {})), [], name);
    }
  });

  it('builds the demo models into the volume the workers read, only when it holds none', () => {
    const models = compose.services.models!;
    const script = models.command!.join(' ');
    assert.match(script, /^if ls \/models\/\*\/\*\/model\.onnx .* then .* else exec switchyard models build --out \/models --only fraud,iris; fi$/);
    for (const [name, w] of workers) {
      assert.equal(flagValue(w.command!, '--models'), '/models', name);
      assert.ok(w.volumes?.includes('models:/models:ro'), `${name} mounts the models volume read-only`);
    }
    assert.ok(models.volumes?.includes('models:/models'));
    for (const volume of services.flatMap(([, s]) => s.volumes ?? []).map(splitVolume)) {
      if (volume.bindPath === undefined) assert.ok(compose.volumes && volume.source in compose.volumes, `volume ${volume.source} is declared`);
      else assert.ok(existsSync(volume.bindPath), `${volume.source} exists in the repository`);
    }
  });

  it('runs workers with WORKER_NODE_FLAGS in NODE_OPTIONS', () => {
    for (const [name, w] of workers) assert.equal(w.environment?.NODE_OPTIONS, WORKER_NODE_FLAGS.join(' '), name);
  });

  it('probes workers where they answer ready: the v2 health path on their --http-port', () => {
    for (const [name, w] of workers) {
      const url = healthcheckUrl(w.healthcheck!);
      assert.equal(url.pathname, MODEL_READY_PATH, name);
      assert.equal(url.port, flagValue(w.command!, '--http-port'), name);
    }
  });

  it('probes gateways on a health path of their HTTP listener', async () => {
    for (const [name, g] of gateways) {
      const url = healthcheckUrl(g.healthcheck!);
      assert.ok(HEALTH_PATHS.has(url.pathname), `${name}: ${url.pathname}`);
      assert.equal(Number(url.port), (await gatewayConfig(g)).listeners.http.port, name);
    }
  });

  it('gives the gateways a config whose pools and store are the Compose services, on the ports they listen on', async () => {
    for (const [name, g] of gateways) {
      const config = await gatewayConfig(g);
      const redis = new URL(config.store!.redis);
      assert.equal(redis.hostname, 'redis', name);
      assert.equal(redis.port || '6379', '6379');
      assert.ok(g.depends_on?.redis, `${name} waits for redis`);
      for (const [pool, p] of Object.entries(config.pools)) {
        for (const endpoint of p.endpoints ?? []) {
          const url = new URL(endpoint);
          const worker = compose.services[url.hostname];
          assert.ok(worker, `pools.${pool} points at the Compose service ${url.hostname}`);
          assert.equal(role(worker), 'worker');
          assert.equal(url.port, flagValue(worker.command!, '--http-port'), `pools.${pool}: the worker's --http-port`);
          assert.equal(g.depends_on?.[url.hostname]?.condition, 'service_healthy', `${name} waits for ${url.hostname}`);
        }
      }
      // Every backend reaches a pool that runs here (a pool without endpoints would need `switchyard up`).
      for (const [backend, b] of Object.entries(config.backends)) {
        assert.ok(b.endpoints ?? config.pools[b.pool!]?.endpoints, `backend ${backend} has endpoints in Compose`);
      }
    }
  });

  it('sets the worker token each worker requires off loopback', () => {
    for (const [name, w] of workers) {
      const host = flagValue(w.command!, '--host') ?? '0.0.0.0';
      const token = w.environment?.[WORKER_TOKEN_ENV];
      assert.ok(token, `${name} sets ${WORKER_TOKEN_ENV}`);
      assert.equal(workerExposureProblem(host, composeDefault(token)), undefined, name);
      assert.notEqual(workerExposureProblem(host, undefined), undefined, 'the token is really needed');
    }
  });

  it('sets the admin token the gateway requires with the admin listener off loopback', async () => {
    for (const [name, g] of gateways) {
      const config = await gatewayConfig(g);
      const token = g.environment?.[ADMIN_TOKEN_ENV];
      assert.ok(token, `${name} sets ${ADMIN_TOKEN_ENV}`);
      assert.equal(adminExposureProblem(config.listeners.admin.host, composeDefault(token)), undefined);
      assert.notEqual(adminExposureProblem(config.listeners.admin.host, undefined), undefined, 'the token is really needed');
      // The admin API reaches this machine's loopback only.
      for (const port of g.ports ?? []) {
        assert.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port} on loopback only`);
        assert.equal(splitPort(port).container, config.listeners.admin.port);
      }
    }
  });

  it('gives gateways longer than their drain to stop', () => {
    for (const [name, s] of [...gateways, ...workers]) {
      assert.ok(seconds(s.stop_grace_period ?? '10s') * 1000 > DEFAULT_DRAIN_TIMEOUT_MS, `${name} stop_grace_period ${String(s.stop_grace_period)}`);
    }
  });

  it('hot-reloads: the config is mounted as a directory, not a single file', () => {
    for (const [name, g] of gateways) {
      const mount = (g.volumes ?? []).map(splitVolume).find((v) => flagValue(g.command!, '-c')!.startsWith(v.target + '/'))!;
      assert.ok(statSync(mount.bindPath!).isDirectory(), `${name} mounts a directory (a file bind mount never sees an atomic rename)`);
    }
  });

  it('puts the load balancer on the README port, in front of both gateways', async () => {
    const lb = compose.services.lb!;
    const nginx = readRepoFile(splitVolume(lb.volumes!.find((v) => v.includes('nginx.conf'))!).source.replace(/^\.\//, ''));
    const listen = Number(/^\s*listen\s+(\d+);/m.exec(nginx)![1]);
    assert.deepEqual(lb.ports!.map(splitPort), [{ host: 8080, container: listen }]);
    assert.match(readRepoFile('README.md'), /localhost:8080\/v2\/models\/iris\/infer/);
    const servers = [...nginx.matchAll(/^\s*server\s+([\w-]+):(\d+)\b/gm)].map(([, host, port]) => ({ host: host!, port: Number(port) }));
    assert.deepEqual(servers.map((s) => s.host), gateways.map(([n]) => n));
    for (const s of servers) assert.equal(s.port, (await gatewayConfig(compose.services[s.host]!)).listeners.http.port);
    assert.ok(healthcheckUrl(lb.healthcheck!).pathname === /location = (\S+)/.exec(nginx)![1], 'the health check calls nginx\'s own location');
  });
});

describe('docker-compose.gpu.yml', () => {
  const gpu = readCompose('docker-compose.gpu.yml');

  it('moves an existing worker pool onto the CUDA image and one GPU', () => {
    for (const [name, s] of Object.entries(gpu.services)) {
      assert.equal(role(compose.services[name]!), 'worker', `${name} is a worker in docker-compose.yml`);
      assert.deepEqual(cliArgumentProblems(s.command!), []);
      const device = flagValue(s.command!, '--device')!;
      assert.ok(deviceSchema.safeParse(device).success && device !== 'cpu', device);
      assert.equal(s.build?.dockerfile, 'Dockerfile.cuda');
      assert.equal(flagValue(s.command!, '--http-port'), flagValue(compose.services[name]!.command!, '--http-port'), 'same port: the gateway config is unchanged');
      const devices = s.deploy?.resources?.reservations?.devices ?? [];
      assert.deepEqual(devices.map((d) => [d.driver, d.capabilities]), [['nvidia', ['gpu']]]);
    }
  });
});
