import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { verify } from '../../../../gateway/notifications/signing.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { until } from '../../../helpers/process.js';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { startReceiver, type Received } from '../../../helpers/notifications/receiver.js';
import { redisSkip, REDIS_URL } from '../../../helpers/redis.js';

const SECRET = 'test-secret';

/** A canary that never reaches an interval's end (1h) and a blue-green route; webhooks as given. */
function yaml(echo: readonly EchoUpstream[], webhooks: string, store = ''): string {
  return `${store}
backends:
  v1: { endpoints: [${echo[0]!.url}] }
  v2: { endpoints: [${echo[1]!.url}] }
  blue: { endpoints: [${echo[2]!.url}] }
  green: { endpoints: [${echo[3]!.url}] }
routes:
  - name: fraud
    match: { pathPrefix: /fraud }
    rollout: { strategy: canary, stable: v1, canary: v2, steps: [10, 100], interval: 1h }
  - name: bg
    match: { pathPrefix: /bg }
    rollout: { strategy: blueGreen, active: blue, preview: green }
notifications:
  webhooks:
${webhooks}`;
}

function event(r: Received): { type: string; route: string; by?: string; active?: string } {
  return JSON.parse(r.body) as { type: string; route: string };
}

describe('webhook notifications from a running gateway', () => {
  let echo: EchoUpstream[];
  before(async () => {
    echo = await Promise.all(['v1', 'v2', 'blue', 'green'].map((n) => startEchoUpstream(n)));
  });
  after(async () => {
    await Promise.all(echo.map((e) => e.close()));
  });

  it('sends signed rollout events and switches, is not held up by a hanging receiver, and follows a reload', async () => {
    const ops = await startReceiver();
    const slow = await startReceiver(['hang', 'hang', 'hang', 'hang', 'hang', 'hang']);
    const hooks = (opsEvents: string) => `    - { name: ops, url: ${ops.url}, secretEnv: HOOK_SECRET${opsEvents} }
    - { name: slow, url: ${slow.url}, retries: 0, timeout: 10m }
`;
    const gw: TestGateway = await startTestGateway(yaml(echo, hooks('')), { notifications: { env: { HOOK_SECRET: SECRET } } });
    try {
      const [started] = await ops.waitFor(1);
      const { id, at, ...body } = JSON.parse(started!.body) as Record<string, unknown>;
      assert.deepEqual(body, {
        source: 'switchyard', type: 'rollout.started', route: 'fraud', weight: 10, by: 'config', reason: 'canary at 10%',
        summary: 'Rollout fraud: started (canary 10%, by config): canary at 10%',
      });
      assert.equal(started!.headers['x-switchyard-delivery'], id);
      assert.equal(typeof at, 'string');
      assert.ok(verify(SECRET, Number(started!.headers['x-switchyard-timestamp']), started!.body, started!.headers['x-switchyard-signature'] as string));
      await slow.waitFor(1);
      // A webhook URL's path can be its credential: the admin API shows only its origin.
      const shown = (await getJson(`${gw.adminUrl}/admin/config`)).body as { config: { notifications: { webhooks: { url: string }[] } } };
      assert.deepEqual(shown.config.notifications.webhooks.map((w) => w.url), [`${new URL(ops.url).origin}/***`, `${new URL(slow.url).origin}/***`]);

      // The slow receiver holds its first delivery open; commands answer regardless.
      assert.equal((await postJson(`${gw.adminUrl}/admin/rollouts/fraud/pause`, { reason: 'lunch' })).status, 200);
      assert.equal((await postJson(`${gw.adminUrl}/admin/rollouts/fraud/resume`, {})).status, 200);
      assert.equal((await postJson(`${gw.adminUrl}/admin/routes/bg/switch`, {})).status, 200);
      const got = await ops.waitFor(4);
      assert.deepEqual(got.slice(1).map(event).map((e) => [e.type, e.route, e.by ?? e.active]), [
        ['rollout.paused', 'fraud', 'human'],
        ['rollout.resumed', 'fraud', 'human'],
        ['rollout.switched', 'bg', 'green'],
      ]);
      assert.equal(slow.received.length, 1);

      // Reloaded: ops now only wants aborts; the rollout itself is untouched by the change.
      await gw.rewrite(yaml(echo, hooks(', events: [rollout.aborted]')));
      assert.equal((await postJson(`${gw.adminUrl}/admin/rollouts/fraud/pause`, {})).status, 200);
      assert.equal((await postJson(`${gw.adminUrl}/admin/rollouts/fraud/abort`, {})).status, 200);
      const [, , , , aborted] = await ops.waitFor(5);
      assert.equal(event(aborted!).type, 'rollout.aborted');
      // The pause in between was not sent: deliveries keep their order, and the abort came fifth.
      await until(async () => (await (await fetch(`${gw.adminUrl}/metrics`)).text()).includes('switchyard_notifications_total{webhook="ops",outcome="delivered"} 5'), 'five deliveries counted');
    } finally {
      await slow.close();
      await gw.stop();
      await ops.close();
    }
  });

  it('with Redis and two replicas, each event is sent once, by the replica that made it', async (t) => {
    const skip = await redisSkip();
    if (skip !== false) return t.skip(skip);
    const ops = await startReceiver();
    const store = `store: { redis: ${REDIS_URL}, keyPrefix: "test:notify:${randomBytes(6).toString('hex')}:" }`;
    const config = yaml(echo, `    - { name: ops, url: ${ops.url} }\n`, store);
    const a = await startTestGateway(config);
    const b = await startTestGateway(config);
    try {
      await ops.waitFor(1);
      // Through the replica that is not necessarily the leader: it stores the command and sends the event.
      assert.equal((await postJson(`${b.adminUrl}/admin/rollouts/fraud/pause`, {})).status, 200);
      await ops.waitFor(2);
      await Promise.all([a.gateway.notifier.idle(), b.gateway.notifier.idle()]);
      assert.deepEqual(ops.received.map(event).map((e) => e.type), ['rollout.started', 'rollout.paused']);
    } finally {
      await a.stop();
      await b.stop();
      await ops.close();
    }
  });
});
