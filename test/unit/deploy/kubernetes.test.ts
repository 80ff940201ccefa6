import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { adminExposureProblem, ADMIN_TOKEN_ENV } from '../../../gateway/admin/auth.js';
import { loadConfig } from '../../../gateway/config/load.js';
import type { GatewayConfig } from '../../../gateway/config/schema.js';
import { HEALTH_PATHS } from '../../../gateway/server/health-endpoints.js';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../../../gateway/start-gateway.js';
import { MODEL_READY_PATH } from '../../../gateway/upstream/backend.js';
import { WORKER_NODE_FLAGS } from '../../../worker/node-flags.js';
import { deviceSchema } from '../../../worker/repository/model-config.js';
import { WORKER_TOKEN_ENV, workerExposureProblem } from '../../../worker/server/control-auth.js';
import type { Container, Deployment, K8sObject, Service } from '../../helpers/deploy/deploy-files.js';
import {
  cliArgumentProblems, envVarProblems, flagValue, K8S_BASE_DIR, K8S_DIR, kustomizationResources, matchesSelector, readManifests, readRepoFile, ROOT,
} from '../../helpers/deploy/deploy-files.js';

const resources = kustomizationResources();
const objects = resources.flatMap((r) => r.objects);
const ofKind = <T extends K8sObject>(kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];
const deployments = ofKind<Deployment>('Deployment');
const services = ofKind<Service>('Service');
const byName = <T extends K8sObject>(list: T[], name: string): T => {
  const found = list.find((o) => o.metadata.name === name);
  assert.ok(found, `${name} exists`);
  return found;
};
const switchyardContainers = (d: Deployment): Container[] => d.spec.template.spec.containers.filter((c) => c.image === 'switchyard');
const roleOf = (c: Container): string | undefined => (c.command === undefined ? c.args?.[0] : undefined);
const gateway = byName(deployments, 'switchyard-gateway');
const gatewayContainer = gateway.spec.template.spec.containers.find((c) => roleOf(c) === 'gateway')!;
const workers = deployments.filter((d) => switchyardContainers(d).some((c) => roleOf(c) === 'worker'));
const workerContainer = (d: Deployment): Container => d.spec.template.spec.containers.find((c) => roleOf(c) === 'worker')!;

/** The container port a probe or Service port names (by name or number). */
function containerPort(c: Container, port: string | number): number {
  if (typeof port === 'number') return port;
  const found = c.ports?.find((p) => p.name === port);
  assert.ok(found, `${c.name} has a port named ${port}`);
  return found.containerPort;
}

/** The Deployment a Service selects, and the container port each of its ports reaches. */
function serviceTargets(s: Service): { deployment: Deployment; ports: Map<string, { port: number; containerPort: number }> } {
  const selected = deployments.filter((d) => matchesSelector(s.spec.selector, d.spec.template.metadata.labels));
  assert.equal(selected.length, 1, `Service ${s.metadata.name} selects one Deployment; found ${selected.map((d) => d.metadata.name).join(', ')}`);
  const d = selected[0]!;
  const c = d.spec.template.spec.containers[0]!;
  return { deployment: d, ports: new Map(s.spec.ports.map((p) => [p.name, { port: p.port, containerPort: containerPort(c, p.targetPort) }])) };
}

const tmp = mkdtempSync(join(tmpdir(), 'switchyard-k8s-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The ConfigMap's config, loaded the way the gateway loads it. */
async function configMapConfig(): Promise<GatewayConfig> {
  const cm = byName(ofKind('ConfigMap'), 'switchyard-config');
  const file = join(tmp, 'switchyard.yaml');
  writeFileSync(file, cm.data!['switchyard.yaml']!);
  const loaded = await loadConfig(file);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join('\n'));
  return loaded.config;
}

describe('deploy/kubernetes', () => {
  it('lists every manifest in kustomization.yaml, and each parses', () => {
    const files = readdirSync(join(ROOT, K8S_BASE_DIR)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    assert.deepEqual(resources.map((r) => r.file.slice(K8S_BASE_DIR.length + 1)).sort(), files.sort());
    for (const o of objects) assert.ok(o.apiVersion && o.kind && o.metadata.name, `${o.kind}/${o.metadata.name}`);
  });

  it('selects pods with labels the pod template carries', () => {
    for (const d of deployments) assert.ok(matchesSelector(d.spec.selector.matchLabels, d.spec.template.metadata.labels), d.metadata.name);
    for (const kind of ['PodDisruptionBudget']) {
      for (const o of ofKind(kind)) {
        const selector = (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
        assert.equal(deployments.filter((d) => matchesSelector(selector, d.spec.template.metadata.labels)).length, 1, `${kind} ${o.metadata.name}`);
      }
    }
    for (const s of services) serviceTargets(s);
  });

  it('runs Switchyard images through its entrypoint, as an unprivileged user', () => {
    for (const overlay of ['cpu', 'gpu']) {
      const kustomization = parse(readRepoFile(join(K8S_DIR, 'overlays', overlay, 'kustomization.yaml'))) as { images: { name: string }[] };
      assert.ok(kustomization.images.some((i) => i.name === 'switchyard'), `overlays/${overlay} rewrites the switchyard image`);
    }
    for (const d of deployments) {
      for (const c of [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])]) {
        if (c.image !== 'switchyard') {
          assert.match(c.image, /:[\w.-]+$/, `${c.image} is pinned`);
          assert.doesNotMatch(c.image, /:latest$/);
          continue;
        }
        const args = c.command === undefined ? c.args! : (/exec switchyard (.*?);/.exec(c.args!.join(' '))?.[1] ?? '').split(' ');
        assert.deepEqual(cliArgumentProblems(args), [], `${d.metadata.name}/${c.name}`);
        assert.deepEqual(envVarProblems(args, (c.env ?? []).map((e) => e.name)), [], `${d.metadata.name}/${c.name}`);
      }
      if (switchyardContainers(d).length > 0) {
        assert.equal(d.spec.template.spec.securityContext?.runAsNonRoot, true, d.metadata.name);
        assert.notEqual(d.spec.template.spec.securityContext?.runAsUser, 0);
      }
    }
  });

  describe('gateway', () => {
    it('mounts the ConfigMap as a directory where -c points, so the ..data swap reaches it', () => {
      const path = flagValue(gatewayContainer.args!, '-c')!;
      const mount = gatewayContainer.volumeMounts!.find((m) => path.startsWith(m.mountPath + '/'));
      assert.ok(mount, `-c ${path} is inside a volume mount`);
      assert.equal(mount.subPath, undefined, 'a subPath mount never sees ConfigMap updates');
      const volume = gateway.spec.template.spec.volumes!.find((v) => v.name === mount.name)!;
      const cm = byName(ofKind('ConfigMap'), volume.configMap!.name);
      assert.ok(cm.data![path.slice(mount.mountPath.length + 1)], `the ConfigMap has the key ${path.slice(mount.mountPath.length + 1)}`);
    });

    it('opens the ports the config listens on', async () => {
      const { listeners } = await configMapConfig();
      assert.equal(containerPort(gatewayContainer, 'http'), listeners.http.port);
      assert.equal(containerPort(gatewayContainer, 'grpc'), listeners.grpc.port);
      assert.equal(containerPort(gatewayContainer, 'admin'), listeners.admin.port);
    });

    it('probes readiness on /readyz and liveness on /healthz of the data port', async () => {
      const { listeners } = await configMapConfig();
      const ready = gatewayContainer.readinessProbe!.httpGet!;
      const live = gatewayContainer.livenessProbe!.httpGet!;
      assert.deepEqual([ready.path, live.path], ['/readyz', '/healthz']);
      for (const probe of [ready, live]) {
        assert.ok(HEALTH_PATHS.has(probe.path));
        assert.equal(containerPort(gatewayContainer, probe.port), listeners.http.port);
      }
    });

    it('waits out the preStop sleep and the whole drain before the kubelet kills it', () => {
      const sleep = gatewayContainer.lifecycle!.preStop!.exec!.command;
      assert.equal(sleep[0], 'sleep');
      const drainMs = Number(flagValue(gatewayContainer.args!, '--drain-timeout') ?? DEFAULT_DRAIN_TIMEOUT_MS);
      const graceMs = gateway.spec.template.spec.terminationGracePeriodSeconds! * 1000;
      assert.ok(graceMs > Number(sleep[1]) * 1000 + drainMs, `grace ${graceMs} ms > preStop ${sleep[1]} s + drain ${drainMs} ms`);
    });

    it('gets the admin token from a Secret, which the gateway needs with admin off loopback', async () => {
      const { listeners } = await configMapConfig();
      assert.notEqual(adminExposureProblem(listeners.admin.host, undefined), undefined);
      const env = gatewayContainer.env!.find((e) => e.name === ADMIN_TOKEN_ENV);
      assert.ok(env?.valueFrom?.secretKeyRef, `${ADMIN_TOKEN_ENV} comes from a Secret`);
    });

    it('has a PodDisruptionBudget and an HPA that leave room to drain one replica', () => {
      const hpa = byName(ofKind('HorizontalPodAutoscaler'), 'switchyard-gateway');
      const spec = hpa.spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
      assert.equal(hpa.apiVersion, 'autoscaling/v2');
      assert.deepEqual(spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: gateway.metadata.name });
      assert.equal(gateway.spec.replicas, undefined, 'the HPA owns the count: kubectl apply -k must not reset it');
      assert.ok(spec.minReplicas >= 2 && spec.maxReplicas > spec.minReplicas);
      assert.ok(gatewayContainer.resources?.requests?.cpu, 'CPU requests, which the HPA measures utilisation against');
      const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && matchesSelector((o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, gateway.spec.template.metadata.labels));
      assert.ok(pdb);
      assert.ok((pdb.spec as { minAvailable: number }).minAvailable < spec.minReplicas, 'a node drain can evict one replica');
    });

    it('keeps the admin port off the client Service', () => {
      const client = byName(services, 'switchyard-gateway');
      assert.deepEqual(client.spec.ports.map((p) => p.name).sort(), ['grpc', 'http']);
    });
  });

  describe('workers', () => {
    it('run one Deployment and Service per pool the gateway config names, on the ports the workers listen on', async () => {
      const config = await configMapConfig();
      for (const [pool, p] of Object.entries(config.pools)) {
        for (const endpoint of p.endpoints ?? []) {
          const url = new URL(endpoint);
          const service = byName(services, url.hostname);
          const target = [...serviceTargets(service).ports.values()].find((t) => t.port === Number(url.port));
          assert.ok(target, `Service ${url.hostname} has port ${url.port}`);
          const { deployment } = serviceTargets(service);
          const c = workerContainer(deployment);
          assert.ok(c, `pools.${pool} reaches a worker Deployment`);
          assert.equal(target.containerPort, Number(flagValue(c.args!, '--http-port')), `pools.${pool} reaches the worker's --http-port`);
          assert.equal(containerPort(c, 'grpc'), Number(flagValue(c.args!, '--grpc-port')));
        }
      }
      for (const [name, b] of Object.entries(config.backends)) assert.ok(b.endpoints ?? config.pools[b.pool!]?.endpoints, `backend ${name} has endpoints`);
      assert.deepEqual(workers.map((d) => d.metadata.labels?.['switchyard/pool']).sort(), Object.keys(config.pools).sort());
    });

    it('probe readiness and liveness on the v2 health paths of their REST port', () => {
      for (const d of workers) {
        const c = workerContainer(d);
        assert.equal(c.readinessProbe!.httpGet!.path, MODEL_READY_PATH);
        assert.equal(c.livenessProbe!.httpGet!.path, '/v2/health/live');
        for (const probe of [c.readinessProbe!, c.livenessProbe!]) {
          assert.equal(containerPort(c, probe.httpGet!.port), Number(flagValue(c.args!, '--http-port')), d.metadata.name);
        }
      }
    });

    it('run node with WORKER_NODE_FLAGS, in NODE_OPTIONS', () => {
      for (const d of workers) {
        const options = workerContainer(d).env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
        assert.equal(options, WORKER_NODE_FLAGS.join(' '), d.metadata.name);
      }
    });

    it('get the worker token from a Secret, which a worker needs off loopback', () => {
      for (const d of workers) {
        const c = workerContainer(d);
        assert.notEqual(workerExposureProblem(flagValue(c.args!, '--host') ?? '0.0.0.0', undefined), undefined, `${d.metadata.name} listens off loopback`);
        const env = c.env?.find((e) => e.name === WORKER_TOKEN_ENV);
        assert.ok(env?.valueFrom?.secretKeyRef, `${d.metadata.name}: ${WORKER_TOKEN_ENV} comes from a Secret`);
      }
    });

    it('read models from a volume their init container fills when empty', () => {
      for (const d of workers) {
        const c = workerContainer(d);
        const dir = flagValue(c.args!, '--models')!;
        const mount = c.volumeMounts!.find((m) => m.mountPath === dir)!;
        const init = d.spec.template.spec.initContainers!.find((i) => i.volumeMounts?.some((m) => m.name === mount.name && m.mountPath === dir));
        assert.ok(init, `${d.metadata.name}: an init container writes ${dir}`);
        assert.match(init.args!.join(' '), new RegExp(`exec switchyard models build --out ${dir} `));
      }
    });
  });

  it('keeps Redis where store.redis points', async () => {
    const config = await configMapConfig();
    const url = new URL(config.store!.redis);
    const service = byName(services, url.hostname);
    assert.ok(service.spec.ports.some((p) => p.port === Number(url.port || 6379)));
  });

  it('scrapes /metrics where the gateways and workers serve it (ServiceMonitor)', async () => {
    const { listeners } = await configMapConfig();
    const monitors = ofKind('ServiceMonitor');
    assert.deepEqual(monitors.map((m) => m.apiVersion), ['monitoring.coreos.com/v1', 'monitoring.coreos.com/v1']);
    const scraped = new Set<string>();
    for (const m of monitors) {
      const spec = m.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
      const selected = services.filter((s) => matchesSelector(spec.selector.matchLabels, s.metadata.labels));
      assert.ok(selected.length > 0, `${m.metadata.name} selects Services`);
      for (const s of selected) {
        const { deployment, ports } = serviceTargets(s);
        for (const e of spec.endpoints) {
          const target = ports.get(e.port);
          assert.ok(target, `Service ${s.metadata.name} has the port ${e.port}`);
          assert.equal(e.path, '/metrics');
          const c = deployment.spec.template.spec.containers[0]!;
          const served = roleOf(c) === 'gateway' ? listeners.admin.port : Number(flagValue(c.args!, '--http-port'));
          assert.equal(target.containerPort, served, `${m.metadata.name} scrapes ${deployment.metadata.name} where /metrics is served`);
          scraped.add(deployment.metadata.name);
        }
      }
    }
    assert.deepEqual([...scraped].sort(), [gateway, ...workers].map((d) => d.metadata.name).sort());
  });

  describe('gpu overlay', () => {
    const overlayDir = join(K8S_DIR, 'overlays', 'gpu');
    const overlay = parse(readRepoFile(join(overlayDir, 'kustomization.yaml'))) as { resources: string[]; patches: { path: string }[]; images: { name: string }[] };

    it('puts an existing worker pool on one NVIDIA GPU with the CUDA image and a GPU device', () => {
      assert.deepEqual(overlay.resources, ['../../base']);
      for (const { path } of overlay.patches) {
        for (const patch of readManifests(join(overlayDir, path)) as Deployment[]) {
          const base = byName(workers, patch.metadata.name);
          for (const c of patch.spec.template.spec.containers) {
            assert.ok(base.spec.template.spec.containers.some((b) => b.name === c.name), `the patch merges into container ${c.name}`);
            assert.ok(overlay.images.some((i) => i.name === c.image), `kustomize rewrites ${c.image}`);
            assert.deepEqual(cliArgumentProblems(c.args!), []);
            const device = flagValue(c.args!, '--device')!;
            assert.ok(deviceSchema.safeParse(device).success && device !== 'cpu', device);
            assert.equal(flagValue(c.args!, '--http-port'), flagValue(workerContainer(base).args!, '--http-port'), 'the Service and config still fit');
            assert.equal(c.resources?.limits?.['nvidia.com/gpu'], 1);
            assert.equal(c.resources?.requests?.['nvidia.com/gpu'], 1, 'extended resources: requests equal limits');
          }
        }
      }
    });
  });
});
