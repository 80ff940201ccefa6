import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UsageError } from '../../../../cli/command.js';
import { createConfigCommand } from '../../../../cli/commands/config.js';
import { EXAMPLES, FIXTURES } from './paths.js';

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const command = createConfigCommand({ stdout: { write: (text: string) => (out += text) } });
  const code = await command.run(argv);
  return { code, out };
}

describe('switchyard config check', () => {
  it('exits 0 with a summary for a good file', async () => {
    const file = path.join(EXAMPLES, 'switchyard.yaml');
    assert.deepEqual(await run(['check', file]), {
      code: 0,
      out: `${file} is valid. 2 routes: fraud (/v2/models/fraud: canary fraud-v1 → fraud-v2 starting at 20%); iris (/v2/models/iris: backend iris-v1). `
        + '3 backends (3 model-aware, 0 plain proxy), 1 pool (cpu: 1 worker on cpu; 1 worker process in all). '
        + 'Listening on http 0.0.0.0:8080, grpc 0.0.0.0:8081, admin 127.0.0.1:9901; state in memory (one replica).\n',
    });
  });

  it('exits 1 and prints every error as FILE:LINE:COL', async () => {
    const file = path.join(FIXTURES, 'shape-mistakes.yaml');
    const { code, out } = await run(['check', file]);
    assert.equal(code, 1);
    assert.deepEqual(out.trimEnd().split('\n'), [
      `${file}:1:1: listners: unknown key 'listners'; did you mean 'listeners'?`,
      `${file}:3:25: limits.maxBodyBytes: expected a size in bytes or with a unit, such as 4194304, '4MiB' or '512KiB'; found '4 megs'`,
      `${file}:5:36: pools.cpu.device: expected 'cpu', 'cuda:N' or 'tensorrt:N' (N is the GPU index); found 'gpu'`,
      `${file}:5:51: pools.cpu.replicas: expected a whole number of worker processes, 1 or more; found 0`,
      `${file}:7:26: backends.fraud-v1.modle: unknown key 'modle'; did you mean 'model'?`,
      `${file}:8:3: backends["bad name"]: expected a name of letters, digits, dots, dashes and underscores (at most 63, starting with a letter or digit); found 'bad name'`,
      `${file}:11:14: routes[0].match.pathprefix: unknown key 'pathprefix'; did you mean 'pathPrefix'?`,
      `${file}:12:26: routes[0].rollout.strategy: expected strategy 'canary' or 'blueGreen'; found 'canry'`,
      `${file}:14:26: routes[1].match.pathPrefix: expected a path starting with '/', such as '/v2/models/fraud'; found 'v2/models/iris'`,
      `${file}:14:60: routes[1].match.headers.x-env: expected a header value string (quote numbers and booleans); found 1`,
      `${file}:15:66: routes[1].rollout.interval: expected a duration such as '500ms', '30s', '10m' or '1h'; found 30 without a unit (write '30ms' or '30s')`,
      `${file}:15:78: routes[1].rollout.weight: expected a percentage from 0 to 100; found 120`,
      `${file}:19:11: routes[2].experiment.id: expected an id of letters, digits, dots, dashes and underscores (it appears in /v1/experiments/ID); found 'ab 1'`,
      `${file}:20:13: routes[2].experiment.unit: expected 'header:NAME' or 'cookie:NAME', naming where the user id is read from; found 'query:user'`,
      `${file}:21:55: routes[2].experiment.variants[0].weight: expected a percentage above 0 and at most 100; found 0`,
      `${file}:22:40: routes[2].experiment.metrics[0].kind: expected 'proportion', 'mean', 'ratio' or 'covariate'; found 'median'`,
      `${file}: 16 errors; the config was not loaded`,
    ]);
  });

  it('prints JSON with --json', async () => {
    const file = path.join(FIXTURES, 'many-mistakes.yaml');
    const { code, out } = await run(['check', file, '--json']);
    const report = JSON.parse(out) as { ok: boolean; errors: Array<{ line: number; column: number; path: string }>; warnings: unknown[] };
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    assert.equal(report.errors.length, 18);
    assert.deepEqual(report.errors[0], {
      file, line: 3, column: 33, path: 'listeners.admin.port',
      message: 'port 8080 is already used by listeners.http (0.0.0.0:8080); give each listener its own port, or 0 to pick a free one',
    });
    assert.equal(report.warnings.length, 2);
  });

  it('rejects a missing action or file as a usage error', async () => {
    await assert.rejects(run([]), new UsageError('missing the action: check'));
    await assert.rejects(run(['lint', 'x.yaml']), new UsageError("unknown action 'lint'; the only action is check"));
    await assert.rejects(run(['check']), new UsageError('missing the config FILE to check'));
  });
});
