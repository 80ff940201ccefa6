import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '../../../loadtest/harness/free-port.js';
import { startEchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { startTestGateway } from '../../helpers/gateway/start-test-gateway.js';
import { getJson } from '../../helpers/http.js';
import { spawnCli } from '../../helpers/process.js';

describe('switchyard backends (the compiled CLI against a running gateway)', () => {
  it('prints the admin API\'s backend health as a table and as JSON', async () => {
    const upstream = await startEchoUpstream('u');
    const dead = `http://127.0.0.1:${await freePort()}`;
    const gw = await startTestGateway(`
backends: { blue: { endpoints: [${upstream.url}] }, green: { endpoints: [${dead}] } }
routes: [{ name: bg, match: { pathPrefix: / }, rollout: { strategy: blueGreen, active: blue, preview: green } }]
`);
    try {
      const table = spawnCli(['backends', '--admin', gw.adminUrl]);
      assert.equal(await table.exited, 0);
      const [header, blue, green] = table.lines as string[];
      assert.match(header!, /^BACKEND +LIVE +BREAKER +ENDPOINT +STATE +SINCE +REASON$/);
      assert.match(blue!, new RegExp(`^blue +yes +- +${upstream.url} +up +\\S+Z$`));
      assert.match(green!, new RegExp(`^green +no +- +${dead} +down +\\S+Z +connect ECONNREFUSED$`));
      const json = spawnCli(['backends', '--json', '--admin', gw.adminUrl]);
      assert.equal(await json.exited, 0);
      const printed = JSON.parse((json.lines as unknown[]).map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')) as unknown;
      assert.deepEqual(printed, (await getJson(`${gw.adminUrl}/admin/backends`)).body);
    } finally {
      await gw.stop();
      await upstream.close();
    }
  });
});
