import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryExperimentStore } from '../../../../gateway/experiments/store/memory.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { until } from '../../../helpers/process.js';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { startReceiver, type WebhookReceiver } from '../../../helpers/notifications/receiver.js';

const UNITS = 200;

describe('experiment alarms from a running gateway', () => {
  let upstreams: EchoUpstream[];
  let ops: WebhookReceiver;
  let gw: TestGateway;
  before(async () => {
    upstreams = await Promise.all([startEchoUpstream('v1'), startEchoUpstream('v2')]);
    ops = await startReceiver();
    gw = await startTestGateway(`
backends:
  ranker-v1: { endpoints: [${upstreams[0]!.url}] }
  ranker-v2: { endpoints: [${upstreams[1]!.url}] }
routes:
  - name: ranker
    match: { pathPrefix: /rank }
    experiment:
      id: ranker-ab
      unit: header:x-user-id
      variants: [{ name: control, backend: ranker-v1, weight: 50 }, { name: treatment, backend: ranker-v2, weight: 50 }]
notifications:
  webhooks: [{ name: ops, url: ${ops.url}, events: [experiment.sample_ratio_mismatch] }]
`, { experimentStore: createMemoryExperimentStore() });
  });
  after(async () => {
    await gw.stop();
    await ops.close();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  it('sends one sample-ratio-mismatch alarm when exposures stop matching the weights', async () => {
    for (let i = 0; i < UNITS; i++) await (await fetch(`${gw.url}/rank/x`, { headers: { 'x-user-id': `user-${i}` } })).arrayBuffer();
    const exposures = async (): Promise<number> => {
      const body = (await getJson(`${gw.adminUrl}/v1/experiments`)).body as { experiments: { variants: { exposures: number }[] }[] };
      return body.experiments[0]!.variants.reduce((n, v) => n + v.exposures, 0);
    };
    await until(async () => (await exposures()) === UNITS, `${UNITS} exposures recorded`);
    await gw.gateway.alarms.check();
    assert.equal(ops.received.length, 0, 'a 50/50 split of hashed units is no mismatch');

    // Exposures made at 50/50 judged against 90/10: the split no longer matches.
    assert.equal((await postJson(`${gw.adminUrl}/admin/routes/ranker/weights`, { weights: { control: 90, treatment: 10 } })).status, 200);
    await gw.gateway.alarms.check();
    await gw.gateway.alarms.check();
    const [alarm] = await ops.waitFor(1);
    await gw.gateway.notifier.idle();
    assert.equal(ops.received.length, 1, 'raised once while it lasts');
    const body = JSON.parse(alarm!.body) as { type: string; experiment: string; route: string; detail: { expected: Record<string, number>; pValue: number } };
    assert.equal(body.type, 'experiment.sample_ratio_mismatch');
    assert.equal(body.experiment, 'ranker-ab');
    assert.equal(body.route, 'ranker');
    assert.deepEqual(body.detail.expected, { control: UNITS * 0.9, treatment: UNITS * 0.1 });
    assert.ok(body.detail.pValue < 0.001);
  });
});
