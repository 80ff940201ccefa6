import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnCli } from '../../helpers/process.js';
import { readManifests, ROOT } from '../../helpers/deploy/deploy-files.js';

interface CheckOutput {
  readonly ok: boolean;
  readonly errors: readonly unknown[];
  readonly warnings: readonly { readonly path: string; readonly message: string }[];
}

/** `switchyard config check FILE --json` from dist, as an operator runs it before applying. */
async function configCheck(file: string): Promise<{ code: number | null; output: CheckOutput }> {
  const cli = spawnCli(['config', 'check', file, '--json']);
  const code = await cli.exited;
  // The JSON spans several lines; spawnCli keeps each line.
  const output = JSON.parse(cli.lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')) as CheckOutput;
  return { code, output };
}

describe('switchyard config check on every config the deployment files embed or mount', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-deploy-check-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const configMaps = readManifests('deploy/kubernetes/base/configmap.yaml').filter((o) => o.kind === 'ConfigMap');
  const files: [string, string][] = [
    ['deploy/compose/switchyard.yaml (docker-compose.yml)', join(ROOT, 'deploy/compose/switchyard.yaml')],
    ...configMaps.flatMap((cm) => Object.entries(cm.data ?? {}).map(([key, text]): [string, string] => {
      const file = join(dir, `${cm.metadata.name}-${key}`);
      writeFileSync(file, text);
      return [`ConfigMap ${cm.metadata.name} key ${key}`, file];
    })),
  ];

  for (const [what, file] of files) {
    it(`${what} is valid; the only warning is the admin listener off loopback, on purpose`, async () => {
      const { code, output } = await configCheck(file);
      assert.deepEqual(output.errors, []);
      assert.equal(output.ok, true);
      assert.equal(code, 0);
      assert.deepEqual(output.warnings.map((w) => w.path), ['listeners.admin.host']);
    });
  }

  it('checks a ConfigMap at all', () => {
    assert.equal(files.length, 2);
  });
});
