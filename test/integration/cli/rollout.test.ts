import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { getJson, postJson } from '../../helpers/http.js';
import { CLI_PATH, spawnCli, type SpawnedCli } from '../../helpers/process.js';
import { fraudCanaryYaml, startFakeModel, type FakeModel } from '../../helpers/gateway/fake-model.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';

/** A canary whose analysis never acts during a test (1 h intervals): only people move it. */
const ROLLOUT = `
      strategy: canary
      stable: v1
      canary: v2
      steps: [20, 50, 100]
      interval: 1h
      analysis: { maxErrorRate: 0.01, minRequests: 20, failureLimit: 2 }`;

describe('switchyard rollout against a real gateway', () => {
  let stable: FakeModel;
  let canary: FakeModel;
  let gw: TestGateway;
  afterEach(async () => {
    await gw.stop();
    await Promise.all([stable.close(), canary.close()]);
  });

  async function start(extraRoutes = ''): Promise<(args: string[]) => SpawnedCli> {
    stable = await startFakeModel();
    canary = await startFakeModel();
    gw = await startTestGateway(fraudCanaryYaml(stable.url, canary.url, ROLLOUT) + extraRoutes);
    return (args) => spawnCli(['rollout', ...args, '--admin', gw.adminUrl]);
  }

  /** Starts `status --watch` and resolves once it has printed its first status (it is watching). */
  async function watching(cli: (args: string[]) => SpawnedCli): Promise<SpawnedCli> {
    const watch = cli(['status', 'fraud', '--watch', '--interval', '0.05']);
    await once(watch.child.stdout!, 'data');
    return watch;
  }

  it('status --watch follows the rollout and exits 3 when it is aborted', { timeout: 30_000 }, async () => {
    const cli = await start();
    const watch = await watching(cli);
    const abort = await postJson(`${gw.adminUrl}/admin/rollouts/fraud/abort`, { reason: 'pages from support' });
    assert.equal(abort.status, 200);
    assert.equal(await watch.exited, 3);
    assert.equal(watch.lines[0], 'route fraud: progressing, canary at 20%; watching until it ends (Ctrl-C stops watching, not the rollout)');
    assert.match(String(watch.lines.at(-2)), /^ {2}\d\d:\d\d:\d\d {2}aborted {9}0% {2}by human {4}pages from support$/);
    assert.equal(watch.lines.at(-1), 'route fraud: aborted: aborted by hand: pages from support (exit 3)');
  });

  it('status --watch exits 0 once the rollout is promoted (here by rollout promote --full)', { timeout: 30_000 }, async () => {
    const cli = await start();
    const watch = await watching(cli);
    const promote = cli(['promote', 'fraud', '--full', '--reason', 'dashboards green']);
    assert.equal(await promote.exited, 0);
    assert.equal(await watch.exited, 0);
    assert.equal(watch.lines.at(-1), 'route fraud: promoted (exit 0)');
  });

  it('list shows every rollout route; set-weight moves a canary without steps through the weights endpoint and refuses one the steps drive', { timeout: 30_000 }, async () => {
    const cli = await start(`
  - name: manual
    match: { pathPrefix: /v2/models/manual }
    rollout: { strategy: canary, stable: v1, canary: v2, weight: 10 }
  - name: plain
    match: { pathPrefix: /plain }
    backend: v1
`);
    const list = cli(['list']);
    assert.equal(await list.exited, 0);
    assert.deepEqual(list.lines, [
      'ROUTE   STRATEGY  PHASE        TRAFFIC                REASON',
      'fraud   canary    progressing  stable 80% canary 20%',
      'manual  canary    manual       stable 90% canary 10%',
    ]);
    const set = cli(['set-weight', 'manual', '35']);
    assert.equal(await set.exited, 0);
    assert.deepEqual(set.lines, ['route manual: canary weights stable 65%, canary 35% (set by hand)']);
    const view = (await getJson(`${gw.adminUrl}/admin/routes`)).body as { routes: { name: string; target: { weights?: { canary: number } } }[] };
    assert.equal(view.routes.find((r) => r.name === 'manual')!.target.weights!.canary, 35);

    // Asynchronously: the gateway answers from this process's event loop.
    const stepped = spawn(process.execPath, [CLI_PATH, 'rollout', 'set-weight', 'fraud', '50', '--admin', gw.adminUrl], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    stepped.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    assert.deepEqual(await once(stepped, 'close'), [1, null]);
    assert.equal(stderr, "switchyard rollout: route 'fraud' is driven by its rollout's steps (phase progressing), which set the canary's weight at every interval and would undo this one; use promote, abort or pause, or remove steps: from the route to set weights by hand\n");
    const tooMuch = cli(['set-weight', 'manual', '130']);
    assert.equal(await tooMuch.exited, 2);
    const plain = cli(['set-weight', 'plain', '10']);
    assert.equal(await plain.exited, 1);
    const unknown = cli(['status', 'nope', '--watch']);
    assert.equal(await unknown.exited, 1);
  });
});
