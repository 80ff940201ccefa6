import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningGateway } from '../../../gateway/start-gateway.js';
import { startGateway } from '../../../gateway/start-gateway.js';
import { silentLogger } from '../../../observability/logger.js';
import { createMemoryExperimentStore } from '../../../gateway/experiments/store/memory.js';
import { MemoryStateStore } from '../../../gateway/state/memory-store.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { readManifests } from '../../helpers/deploy/deploy-files.js';

/** The config in deploy/kubernetes/base/configmap.yaml, with the worker Services replaced by local upstreams. */
function configMapText(stable: string, canary: string): string {
  const cm = readManifests('deploy/kubernetes/base/configmap.yaml').find((o) => o.kind === 'ConfigMap')!;
  return cm.data!['switchyard.yaml']!
    .replace('http://switchyard-worker-stable:8000', stable)
    .replace('http://switchyard-worker-canary:8000', canary);
}

/**
 * A ConfigMap volume as kubelet writes it: the key is a symlink through `..data` to a
 * timestamped directory, and an update swaps `..data` atomically, then deletes the old directory.
 */
class ConfigMapVolume {
  private generation = 0;
  private current: string | undefined;

  constructor(readonly dir: string, private readonly key: string) {}

  get file(): string {
    return join(this.dir, this.key);
  }

  write(text: string): void {
    const name = `..2026_11_24_21_00_0${this.generation}.${this.generation}`;
    this.generation++;
    mkdirSync(join(this.dir, name));
    writeFileSync(join(this.dir, name, this.key), text);
    if (this.current === undefined) {
      symlinkSync(name, join(this.dir, '..data'));
      symlinkSync(join('..data', this.key), this.file);
    } else {
      symlinkSync(name, join(this.dir, '..data_tmp'));
      renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
      rmSync(join(this.dir, this.current), { recursive: true });
    }
    this.current = name;
  }
}

describe('the gateway follows a Kubernetes ConfigMap update (deploy/kubernetes/base/configmap.yaml)', () => {
  let stable: EchoUpstream;
  let canary: EchoUpstream;
  let volume: ConfigMapVolume;
  let gateway: RunningGateway;
  let text: string;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-configmap-'));
  /** Resolves on the next reload the gateway applies or refuses: what it counts in its metrics. */
  let nextReload: () => Promise<'applied' | 'refused'>;

  before(async () => {
    stable = await startEchoUpstream('stable');
    canary = await startEchoUpstream('canary');
    text = configMapText(stable.url, canary.url);
    volume = new ConfigMapVolume(dir, 'switchyard.yaml');
    volume.write(text);
    gateway = await startGateway({
      configPath: volume.file, log: silentLogger(), httpPort: 0, httpHost: '127.0.0.1', adminPort: 0, adminHost: '127.0.0.1', adminToken: '',
      reloadDebounceMs: 10, probe: { probe: () => Promise.resolve(true) }, grpcPort: 0, grpcHost: '127.0.0.1',
      // The ConfigMap's store.redis names the in-cluster Service (switchyard-redis), which does not resolve here.
      store: new MemoryStateStore(), experimentStore: createMemoryExperimentStore(),
    });
    const waiters: Array<(r: 'applied' | 'refused') => void> = [];
    const { metrics } = gateway;
    const succeeded = metrics.reloadSucceeded.bind(metrics);
    const failed = metrics.reloadFailed.bind(metrics);
    metrics.reloadSucceeded = (at) => {
      succeeded(at);
      waiters.shift()?.('applied');
    };
    metrics.reloadFailed = () => {
      failed();
      waiters.shift()?.('refused');
    };
    nextReload = () => new Promise((resolve) => waiters.push(resolve));
  });
  after(async () => {
    await gateway?.drain();
    await Promise.all([stable?.close(), canary?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const canaryWeight = (): unknown => {
    const view = gateway.current().routesByName.get('fraud')!.target.view() as { weights?: { canary: number } };
    return view.weights?.canary;
  };

  it('starts from the ConfigMap as shipped', () => {
    assert.equal(canaryWeight(), 5);
  });

  it('applies one update, then another after the first generation is deleted', async () => {
    for (const weight of [25, 50]) {
      const reloaded = nextReload();
      volume.write(text.replace('weight: 5', `weight: ${weight}`));
      assert.equal(await reloaded, 'applied');
      assert.equal(canaryWeight(), weight);
    }
  });

  it('refuses a broken update and keeps serving the last good one', async () => {
    const reloaded = nextReload();
    volume.write(text.replace('weight: 5', 'weight: 500'));
    assert.equal(await reloaded, 'refused');
    assert.equal(canaryWeight(), 50);
    const res = await fetch(`http://127.0.0.1:${gateway.httpPort}/v2/models/iris/infer`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchyard-backend'), 'iris-v1');
    await res.arrayBuffer();
  });
});
