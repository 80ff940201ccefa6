import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { metric, refusingUrl } from '../../../helpers/gateway/fault-upstream.js';
import { captureLog, type CapturedLog } from '../../../helpers/log-capture.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';

// The prober says every endpoint is up and does not probe again during the test, as between
// two probes of a worker that just went away.
const probedUpOnce = { probe: { probe: () => Promise.resolve(true), intervalMs: 3_600_000 } };

describe('a request refused at connect', () => {
  let good: EchoUpstream;
  let gw: TestGateway;
  let refusing: string;
  const captured: CapturedLog = captureLog();

  before(async () => {
    good = await startEchoUpstream('good');
    refusing = await refusingUrl();
    gw = await startTestGateway(`
backends:
  pair: { endpoints: [${refusing}, ${good.url}] }
  lone: { endpoints: [${await refusingUrl()}] }
  dead: { endpoints: [${await refusingUrl()}, ${await refusingUrl()}] }
routes:
  - { name: pair, match: { pathPrefix: /pair }, backend: pair }
  - { name: lone, match: { pathPrefix: /lone }, backend: lone }
  - { name: dead, match: { pathPrefix: /dead }, backend: dead }
`, { ...probedUpOnce, log: captured.log });
  });
  after(async () => {
    await gw.stop();
    await good.close();
  });

  it('goes to the other endpoint even for a POST on a route without retries, and the refusing endpoint leaves the rotation at once', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${gw.url}/pair/x`, { method: 'POST', body: `order ${i}` });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-upstream'), 'good');
      assert.match(await res.text(), new RegExp(`order ${i}`));
    }
    // Refused once: the balancer never chose it again, though no probe ran in between.
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_upstream_connect_errors_total', 'backend="pair"'), 1);
    // One health transition line, the same a failed probe writes.
    const origin = new URL(refusing).origin;
    assert.deepEqual(captured.events('endpoint_health').filter((l) => l.endpoint === origin), [
      { event: 'endpoint_health', endpoint: origin, backends: ['pair'], from: 'up', to: 'down', reason: 'connect ECONNREFUSED', msg: 'endpoint down: connect ECONNREFUSED' },
    ]);
  });

  it("fails as before when the backend's only endpoint refuses: 502 UPSTREAM_UNAVAILABLE, each time", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${gw.url}/lone/x`, { method: 'POST', body: 'x' });
      assert.equal(res.status, 502);
      assert.equal(((await res.json()) as { code: string }).code, 'UPSTREAM_UNAVAILABLE');
    }
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_upstream_connect_errors_total', 'backend="lone"'), 2);
  });

  it('fails with 502 UPSTREAM_UNAVAILABLE once every endpoint has refused; the last one stays in rotation', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${gw.url}/dead/x`, { method: 'POST', body: 'x' });
      codes.push(`${res.status} ${((await res.json()) as { code: string }).code}`);
    }
    assert.deepEqual(codes, ['502 UPSTREAM_UNAVAILABLE', '502 UPSTREAM_UNAVAILABLE']);
    // Both tried by the first request, then only the one left in rotation.
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_upstream_connect_errors_total', 'backend="dead"'), 3);
  });
});
