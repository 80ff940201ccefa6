import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { createGatewayMetrics } from '../../../gateway/metric-set.js';
import { WorkerMetrics } from '../../../worker/server/metrics.js';
import { K8S_BASE_DIR, readCompose, readManifests, readRepoFile, ROOT, splitVolume } from '../../helpers/deploy/deploy-files.js';
import { promtool, promtoolSkipReason } from '../../helpers/deploy/promtool.js';

const RULES_FILE = 'deploy/prometheus/rules/switchyard.rules.yml';
const RULES_TESTS = 'test/fixtures/prometheus/switchyard.rules.test.yml';

interface RuleGroup { readonly name: string; readonly rules: readonly { readonly alert: string; readonly expr: string }[] }

const groups = (parse(readRepoFile(RULES_FILE)) as { groups: RuleGroup[] }).groups;
const skip = promtoolSkipReason();

describe('alert rules (deploy/prometheus/rules)', () => {
  it('alert on 5xx ratio, p99, breakers, aborted rollouts, sample ratio mismatch and worker queues', () => {
    assert.deepEqual(groups.flatMap((g) => g.rules.map((r) => r.alert)), [
      'SwitchyardGatewayErrorRatioHigh', 'SwitchyardGatewayP99OverTarget', 'SwitchyardCircuitBreakerOpen',
      'SwitchyardRolloutAborted', 'SwitchyardExperimentSampleRatioMismatch', 'SwitchyardWorkerQueueSaturated',
    ]);
  });

  it('read only metrics the gateway and the worker export', async () => {
    const exported = new Set<string>();
    for (const registry of [createGatewayMetrics().metrics.registry, new WorkerMetrics().registry]) {
      for (const m of await registry.getMetricsAsJSON()) exported.add(m.name);
    }
    for (const rule of groups.flatMap((g) => g.rules)) {
      const names = [...rule.expr.matchAll(/\b(switchyard_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_bucket$/, ''));
      assert.ok(names.length > 0);
      for (const name of names) assert.ok(exported.has(name), `${rule.alert} reads ${name}, which is exported`);
    }
  });

  it('ship the same groups as the PrometheusRule in the Kubernetes base', () => {
    const [rule] = readManifests(join(K8S_BASE_DIR, 'prometheusrule.yaml'));
    assert.equal(rule?.kind, 'PrometheusRule');
    assert.deepEqual((rule.spec as { groups: RuleGroup[] }).groups, groups);
  });

  it('are loaded by the Compose Prometheus', () => {
    const prometheus = readCompose('docker-compose.yml').services.prometheus!;
    const mount = prometheus.volumes!.map(splitVolume).find((v) => v.source === './deploy/prometheus/rules');
    assert.ok(mount, 'docker-compose.yml mounts deploy/prometheus/rules');
    const config = parse(readRepoFile('deploy/prometheus/prometheus.yml')) as { rule_files: string[] };
    assert.deepEqual(config.rule_files, [`${mount.target}/*.yml`]);
  });

  it('pass promtool check rules', { skip }, () => {
    const { status, output } = promtool(['check', 'rules', join(ROOT, RULES_FILE)]);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: 6 rules found/);
  });

  it('fire and stay silent where the promtool test fixtures say', { skip }, () => {
    const { status, output } = promtool(['test', 'rules', join(ROOT, RULES_TESTS)]);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });
});
