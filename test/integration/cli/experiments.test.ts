import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryExperimentStore } from '../../../gateway/experiments/store/memory.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';
import { spawnCli } from '../../helpers/process.js';
import { freePort } from '../../../loadtest/harness/free-port.js';

async function runCli(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const cli = spawnCli(args);
  const code = await cli.exited;
  return { code, stdout: cli.lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') };
}

describe('switchyard experiments (the compiled CLI against a running gateway)', () => {
  let upstream: EchoUpstream;
  let gw: TestGateway;
  before(async () => {
    upstream = await startEchoUpstream('u');
    const store = createMemoryExperimentStore();
    gw = await startTestGateway(`backends: { a: { endpoints: [${upstream.url}] }, b: { endpoints: [${upstream.url}] } }
routes:
  - name: checkout
    match: { pathPrefix: / }
    experiment:
      id: checkout-1
      unit: header:x-user-id
      variants: [{ name: control, backend: a, weight: 50 }, { name: treatment, backend: b, weight: 50 }]
      metrics: [{ name: revenue, kind: mean }]
`, { experimentStore: store });
    // 10 units per arm with known values: control 1..10, treatment 3..12.
    const outcomes = [];
    for (let i = 1; i <= 10; i++) {
      await store.recordExposure('checkout-1', 'control', `c${i}`);
      await store.recordExposure('checkout-1', 'treatment', `t${i}`);
      outcomes.push({ unit: `c${i}`, variant: 'control', metric: 'revenue', value: i }, { unit: `t${i}`, variant: 'treatment', metric: 'revenue', value: i + 2 });
    }
    await store.recordOutcomes('checkout-1', outcomes);
  });
  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('lists experiments as a table', async () => {
    const { code, stdout } = await runCli(['experiments', 'list', '--admin', gw.adminUrl]);
    assert.equal(code, 0);
    assert.equal(stdout, [
      'experiment  route     state    variants                                          primary metric',
      'checkout-1  checkout  running  control 50% (10 units), treatment 50% (10 units)  revenue',
    ].join('\n'));
  });

  it('prints results with Welch figures, and the same JSON as the API with --json', async () => {
    const { code, stdout } = await runCli(['experiments', 'results', 'checkout-1', '--admin', gw.adminUrl]);
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.equal(lines[0], 'Experiment checkout-1 (route checkout)');
    assert.equal(lines[2], 'Units: control 10 (weight 50%), treatment 10 (weight 50%); sample ratio ok (p = 1)');
    assert.equal(lines[4], 'revenue (mean, higher is better, primary)');
    assert.equal(lines[6], '  control    10  5.5   3.028  [3.334, 7.666]');
    // Welch: difference 2, se = 3.0277·√(2/10), t = 1.4771, df = 18, two-sided p = 0.1569 CI [-0.8446, 4.8446] (R: t.test(3:12, 1:10)).
    // Lift: Fieller's interval at the same t quantile, [-12.28 %, +127.1 %] (R: uniroot of (2 − 5.5λ)² − t²(v_t + (1 + λ)²v_c)).
    assert.match(lines[8]!, /^ {2}treatment vs control: difference \+2 \[-0\.8447, \+4\.845\]; lift \+36\.36% \[-12\.28%, \+127\.1%\]; t = 1\.477, df = 18, p = 0\.1569; not significant; chance to beat control 89\.16%$/);
    // Chance to beat control: Φ(λ/sd), λ = 7.5/5.5 − 1, sd² = 9.167/(10·5.5²) + 9.167·7.5²/(10·5.5⁴) (R: pnorm(0.3636/0.2944) = 0.8916).
    assert.match(stdout, /^Chance to beat control \(Bayesian, flat prior, normal approximation\): beside each comparison; it does not decide the verdict\.$/m);
    assert.match(stdout, /Recommendation: keep collecting\./);
    assert.match(stdout, /^Analysed \(joined on exposure\): control 10, treatment 10 units; left out: 0 outcomes from 0 units never exposed; 0 units exposed to more than one arm$/m);
    const json = await runCli(['experiments', 'results', 'checkout-1', '--json', '--admin', gw.adminUrl]);
    const api = await (await fetch(`${gw.adminUrl}/v1/experiments/checkout-1/results`)).json();
    assert.deepEqual(JSON.parse(json.stdout), api);
  });

  it('says what went wrong: unknown experiment, gateway not running, missing ID', async () => {
    const unknown = spawnCli(['experiments', 'results', 'nope', '--admin', gw.adminUrl]);
    let stderr = '';
    unknown.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    assert.equal(await unknown.exited, 1);
    assert.equal(stderr, "switchyard experiments: GET /v1/experiments/nope/results: 404 EXPERIMENT_NOT_FOUND: no experiment 'nope' in the config in effect; experiments: 'checkout-1'\n");
    const closed = await freePort();
    const down = spawnCli(['experiments', 'list', '--admin', `http://127.0.0.1:${closed}`]);
    let downErr = '';
    down.child.stderr!.on('data', (c: Buffer) => (downErr += c.toString()));
    assert.equal(await down.exited, 1);
    assert.match(downErr, /^switchyard experiments: cannot reach the admin API at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; is the gateway running\?/);
    assert.equal(await spawnCli(['experiments', 'results']).exited, 2);
  });
});
