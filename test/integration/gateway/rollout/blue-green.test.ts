import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnCli } from '../../../helpers/process.js';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';

describe('switchyard rollout switch (blue-green)', () => {
  let blue: EchoUpstream;
  let green: EchoUpstream;
  let gw: TestGateway;
  before(async () => {
    blue = await startEchoUpstream('blue');
    green = await startEchoUpstream('green');
    gw = await startTestGateway(`
backends:
  blue: { endpoints: [${blue.url}] }
  green: { endpoints: [${green.url}] }
routes:
  - name: bg
    match: { pathPrefix: /bg }
    rollout: { strategy: blueGreen, active: blue, preview: green }
`);
  });
  after(async () => {
    await gw.stop();
    await Promise.all([blue.close(), green.close()]);
  });

  async function served(): Promise<string | null> {
    const res = await fetch(`${gw.url}/bg/x`);
    await res.arrayBuffer();
    return res.headers.get('x-switchyard-backend');
  }

  it('switches all traffic to the other colour and back; status shows the active colour; canary commands are refused', async () => {
    assert.equal(await served(), 'blue');
    const switched = spawnCli(['rollout', 'switch', 'bg', '--admin', gw.adminUrl]);
    assert.equal(await switched.exited, 0);
    assert.deepEqual(switched.lines, ['route bg: blueGreen', '  active green, preview blue (warm)']);
    assert.equal(await served(), 'green');
    // The previous colour is still probed and pooled: the preview header reaches it at once.
    const preview = await fetch(`${gw.url}/bg/x`, { headers: { 'x-switchyard-preview': '1' } });
    await preview.arrayBuffer();
    assert.equal(preview.headers.get('x-switchyard-backend'), 'blue');

    const back = spawnCli(['rollout', 'switch', 'bg', '--admin', gw.adminUrl, '--json']);
    assert.equal(await back.exited, 0);
    assert.equal(await served(), 'blue');

    const status = spawnCli(['rollout', 'status', 'bg', '--admin', gw.adminUrl]);
    assert.equal(await status.exited, 0);
    assert.deepEqual(status.lines, ['route bg: blueGreen', '  active blue, preview green (warm)']);

    const promote = spawnCli(['rollout', 'promote', 'bg', '--admin', gw.adminUrl]);
    assert.equal(await promote.exited, 1);
  });
});
