import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { getJson, postJson } from '../../../helpers/http.js';
import { fraudCanaryYaml, startFakeModel, type FakeModel } from '../../../helpers/gateway/fake-model.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';

/** Ten rows; the fake model calls class 1 when the first value is above 0.5; one expected label is wrong for it. */
async function goldenFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-golden-'));
  const path = join(dir, 'golden.json');
  const rows = Array.from({ length: 10 }, (_, i) => [i / 10 + 0.05, 0]);
  const expected = rows.map(([x]) => (x! > 0.5 ? 1 : 0));
  expected[0] = 1;
  await writeFile(path, JSON.stringify({ input: 'input', rows, expected }));
  return path;
}

function yaml(stable: string, canary: string, golden: string, minScore: number): string {
  return fraudCanaryYaml(stable, canary, `{ strategy: canary, stable: v1, canary: v2, steps: [20, 100], interval: 1m, golden: { file: ${golden}, minScore: ${minScore} } }`);
}

interface Status { phase: string; reason: string | null; weights: { canary: number }; history: { event: string; reason: string }[] }

describe('golden data set gate', () => {
  let stable: FakeModel;
  let canary: FakeModel;
  let gw: TestGateway;
  afterEach(async () => {
    await gw.stop();
    await Promise.all([stable.close(), canary.close()]);
  });

  it('scores the canary before the first step: 0.9 ≥ 0.8 starts it', async () => {
    [stable, canary] = [await startFakeModel(), await startFakeModel()];
    const golden = await goldenFile();
    gw = await startTestGateway(yaml(stable.url, canary.url, golden, 0.8));
    const status = (await getJson(`${gw.adminUrl}/admin/rollouts/fraud`)).body as Status;
    assert.equal(status.phase, 'progressing');
    assert.equal(status.weights.canary, 20);
    assert.deepEqual(status.history.map((e) => e.event), ['started', 'golden_passed']);
    assert.equal(status.history[1]!.reason, `golden score 0.9 ≥ 0.8 (9 of 10 rows of ${golden} matched)`);
    assert.equal(canary.count(), 1, 'ten rows in one batch request');
  });

  it('below minScore the rollout does not start and says why; resume by hand starts it', async () => {
    [stable, canary] = [await startFakeModel(), await startFakeModel()];
    const golden = await goldenFile();
    gw = await startTestGateway(yaml(stable.url, canary.url, golden, 0.95));
    const status = (await getJson(`${gw.adminUrl}/admin/rollouts/fraud`)).body as Status;
    assert.equal(status.phase, 'blocked');
    assert.equal(status.weights.canary, 0);
    assert.equal(status.reason, `golden score 0.9 is below minScore 0.95 (9 of 10 rows of ${golden} matched); the rollout did not start`);
    const resumed = await postJson(`${gw.adminUrl}/admin/rollouts/fraud/resume`, { reason: 'the golden set is out of date' });
    assert.equal((resumed.body as Status).phase, 'progressing');
  });
});
