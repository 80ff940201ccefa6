import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadConfig } from '../../../gateway/config/load.js';
import { createGatewayMetrics } from '../../../gateway/metric-set.js';
import { WorkerMetrics } from '../../../worker/server/metrics.js';
import { flagValue, readCompose, readRepoFile, splitVolume } from '../../helpers/deploy/deploy-files.js';

interface ScrapeConfig {
  readonly job_name: string;
  readonly metrics_path?: string;
  readonly static_configs: readonly { readonly targets: readonly string[]; readonly labels?: Readonly<Record<string, string>> }[];
}

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly uid: string };
  readonly targets?: readonly { readonly expr: string; readonly datasource: { readonly uid: string } }[];
}

/**
 * Every metric the code exports, with its type and label names, read from the registries the
 * gateway (createGatewayMetrics, as startGateway builds it) and the worker (defaults on) serve.
 */
async function exportedMetrics(): Promise<Map<string, { type: string; labels: readonly string[] }>> {
  const result = new Map<string, { type: string; labels: readonly string[] }>();
  const registries: Registry[] = [createGatewayMetrics().metrics.registry, new WorkerMetrics().registry];
  for (const registry of registries) {
    for (const m of await registry.getMetricsAsJSON()) {
      const labels = (registry.getSingleMetric(m.name) as unknown as { labelNames: readonly string[] }).labelNames;
      result.set(m.name, { type: String(m.type), labels });
    }
  }
  return result;
}

/**
 * prom-client's default process and Node.js runtime metrics under the gateway's and the worker's
 * prefixes: generic figures (GC, handles, heap spaces...) that one Processes row samples
 * (memory, event-loop lag) rather than a panel each, so they are exempt from full coverage.
 */
async function defaultMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const prefix of ['switchyard_gateway_', 'switchyard_worker_']) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix });
    for (const m of await registry.getMetricsAsJSON()) names.add(m.name);
  }
  return names;
}

/** Labels Prometheus adds to every scraped series (target labels), and the histogram's `le`. */
const TARGET_LABELS = new Set(['instance', 'job', 'pool', 'le']);

const compose = readCompose('docker-compose.yml');
const prometheusService = compose.services.prometheus!;
const prometheusFile = splitVolume(prometheusService.volumes!.find((v) => v.endsWith('prometheus.yml:ro'))!).source.replace(/^\.\//, '');
const prometheus = parse(readRepoFile(prometheusFile)) as { scrape_configs: readonly ScrapeConfig[] };

describe('deploy/prometheus', () => {
  it('is the file the Prometheus service mounts', () => {
    assert.equal(prometheusFile, 'deploy/prometheus/prometheus.yml');
  });

  it('scrapes every gateway and worker service, where each serves /metrics', async () => {
    const scraped = new Set<string>();
    for (const job of prometheus.scrape_configs.filter((j) => j.job_name.startsWith('switchyard-'))) {
      assert.equal(job.metrics_path ?? '/metrics', '/metrics');
      for (const target of job.static_configs.flatMap((c) => c.targets)) {
        const [host, port] = target.split(':') as [string, string];
        const service = compose.services[host];
        assert.ok(service, `${target} names a Compose service`);
        const role = service.command?.[0];
        if (role === 'worker') {
          assert.equal(port, flagValue(service.command!, '--http-port'), `${target}: the worker's REST port serves /metrics`);
        } else {
          assert.equal(role, 'gateway', `${target} is a gateway or a worker`);
          const path = flagValue(service.command!, '-c')!;
          const mount = service.volumes!.map(splitVolume).find((v) => path.startsWith(v.target + '/'))!;
          const loaded = await loadConfig(mount.bindPath + path.slice(mount.target.length));
          assert.ok(loaded.ok);
          assert.equal(Number(port), loaded.config.listeners.admin.port, `${target}: the gateway's admin listener serves /metrics`);
          assert.notEqual(loaded.config.listeners.admin.host, '127.0.0.1', 'reachable from the Prometheus container');
        }
        scraped.add(host);
      }
    }
    const switchyardServices = Object.entries(compose.services).filter(([, s]) => ['gateway', 'worker'].includes(s.command?.[0] ?? '')).map(([n]) => n);
    assert.deepEqual([...scraped].sort(), switchyardServices.sort());
  });

  it('labels each worker target with its pool, as the dashboard groups them', () => {
    const worker = prometheus.scrape_configs.find((j) => j.job_name === 'switchyard-worker')!;
    for (const c of worker.static_configs) assert.equal(`worker-${c.labels?.pool ?? ''}`, c.targets[0]!.split(':')[0]);
  });
});

describe('deploy/grafana', () => {
  const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/switchyard.json')) as {
    uid: string;
    panels: readonly Panel[];
    __inputs: readonly { name: string; type: string; pluginId: string }[];
    templating: { list: readonly { name: string; type: string; query: unknown; current: { value?: string } }[] };
  };
  const datasources = parse(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yaml')) as { datasources: { uid: string; url: string; isDefault?: boolean }[] };
  const providers = parse(readRepoFile('deploy/grafana/provisioning/dashboards/switchyard.yaml')) as { providers: { options: { path: string } }[] };
  const grafana = compose.services.grafana!;
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);

  it('queries only metrics the code exports, by labels those metrics have', async () => {
    const exported = await exportedMetrics();
    const used = new Set<string>();
    for (const expr of exprs) {
      const names = [...expr.matchAll(/\b(switchyard_[a-z0-9_]+)/g)].map((m) => m[1]!);
      assert.ok(names.length > 0, `${expr} reads a Switchyard metric`);
      const labels = new Set<string>(TARGET_LABELS);
      for (const name of names) {
        const base = name.replace(/_(bucket|sum|count)$/, '');
        const metric = exported.get(name) ?? (exported.get(base)?.type === 'histogram' ? exported.get(base) : undefined);
        assert.ok(metric, `${name} is exported by the gateway or the worker`);
        for (const l of metric.labels) labels.add(l);
        used.add(exported.has(name) ? name : base);
      }
      const grouped = [...expr.matchAll(/\b(?:by|on)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()));
      const matched = [...expr.matchAll(/[{,]\s*([a-z_]+)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!);
      for (const label of [...grouped, ...matched]) assert.ok(labels.has(label), `${expr}: label ${label} exists on the metrics it reads`);
    }
    // The dashboard covers every Switchyard metric family (routes, rollouts, experiments,
    // resilience, shadow traffic, batching); of the default process metrics, only some.
    const defaults = await defaultMetricNames();
    assert.ok(defaults.has('switchyard_gateway_process_resident_memory_bytes'), 'the gateway exports default process metrics');
    const own = (names: Iterable<string>): string[] => [...names].filter((n) => !defaults.has(n)).sort();
    assert.deepEqual(own(used), own(exported.keys()));
    assert.ok([...used].some((n) => defaults.has(n)), 'a Processes panel reads the default process metrics');
  });

  it('has sections for routes, rollouts, experiments, resilience, shadow traffic, batching and processes', () => {
    assert.deepEqual(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title),
      ['Routes', 'Rollouts', 'Experiments', 'Resilience', 'Shadow traffic', 'Workers and batching', 'Processes']);
  });

  it('queries the ${datasource} variable, so it imports into any Grafana (__inputs) and Compose provisions it', () => {
    const [input] = dashboard.__inputs;
    assert.deepEqual({ type: input?.type, pluginId: input?.pluginId }, { type: 'datasource', pluginId: 'prometheus' });
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    assert.deepEqual({ name: variable?.name, query: variable?.query, value: variable?.current.value }, { name: 'datasource', query: 'prometheus', value: `\${${input!.name}}` });
    const uses = [...JSON.stringify(dashboard).matchAll(/"uid":\s*"([^"]*)"/g)].map((m) => m[1]).filter((uid) => uid !== dashboard.uid);
    assert.ok(uses.length > 0);
    assert.deepEqual(new Set(uses), new Set(['${datasource}']), 'no hard-coded datasource uid');
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      assert.equal(p.datasource?.uid, '${datasource}', p.title);
      for (const t of p.targets ?? []) assert.equal(t.datasource.uid, '${datasource}');
    }
    // Compose: the provisioned datasource is the default one, which the variable starts on.
    const [ds] = datasources.datasources;
    assert.equal(ds!.isDefault, true);
    const url = new URL(ds!.url);
    assert.ok(compose.services[url.hostname], `${url.hostname} is a Compose service`);
    assert.match(prometheusService.ports![0]!, new RegExp(`:${url.port}$`));
  });

  it('is mounted where Grafana reads provisioning and where the provider loads dashboards', () => {
    const mounts = grafana.volumes!.map(splitVolume);
    assert.ok(mounts.some((m) => m.source === './deploy/grafana/provisioning' && m.target === '/etc/grafana/provisioning'));
    const dashboards = mounts.find((m) => m.source === './deploy/grafana/dashboards')!;
    assert.equal(providers.providers[0]!.options.path, dashboards.target);
    assert.ok(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!.startsWith(dashboards.target + '/'));
  });
});
