import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { CLI_PATH } from '../../helpers/process.js';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('switchyard CLI', () => {
  it('lists every command with --help and exits 0', () => {
    const r = cli('--help');
    assert.equal(r.code, 0);
    for (const name of ['up', 'gateway', 'worker', 'models', 'config']) assert.match(r.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
  });

  for (const name of ['up', 'gateway', 'worker', 'models', 'config']) {
    it(`prints usage for '${name} --help' and exits 0`, () => {
      const r = cli(name, '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: switchyard ${name}`));
    });
  }

  it('exits 2 with the usage for an unknown command or flag', () => {
    const unknown = cli('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^switchyard: unknown command 'frobnicate'/);
    const badFlag = cli('worker', '--modles', 'x');
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /^switchyard worker: Unknown option '--modles'/);
    const missing = cli('worker');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^switchyard worker: --models DIR is required/);
  });

  it('lists a model repository as a table and as JSON', async () => {
    const { demoModelsDir } = await import('../../helpers/demo-models.js');
    const repo = await demoModelsDir();
    const table = cli('models', 'list', '--repo', repo);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^MODEL +VERSION +POLICY +SHA256 +CREATED +SOURCE COMMIT +DATA$/m);
    assert.match(table.stdout, /^fraud +2 +loaded +[0-9a-f]{12} /m);
    const json = JSON.parse(cli('models', 'list', '--repo', repo, '--json').stdout) as { models: { name: string; versions: { version: string }[] }[] };
    assert.deepEqual(json.models.map((m) => [m.name, m.versions.map((v) => v.version)]).filter(([n]) => n === 'bench-cnn' || n === 'fraud' || n === 'iris'),
      [['bench-cnn', ['1']], ['fraud', ['1', '2']], ['iris', ['1']]]);
  });
});
