import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { getJson, postJson, type JsonResponse } from '../../../helpers/http.js';
import { startPrivateRedis, type PrivateRedis } from '../../../helpers/private-redis.js';
import { until } from '../../../helpers/process.js';
import { redisSkip } from '../../../helpers/redis.js';

const skip = await redisSkip();
const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;

const CONFIG = (redisUrl: string, a: string, b: string) => `
store: { redis: "${redisUrl}", keyPrefix: "${PREFIX}" }
backends: { a: { endpoints: [${a}] }, b: { endpoints: [${b}] } }
routes:
  - name: manual
    match: { pathPrefix: /manual }
    rollout: { strategy: canary, stable: a, canary: b, weight: 0 }
  - name: bg
    match: { pathPrefix: /bg }
    rollout: { strategy: blueGreen, active: a, preview: b }
  - name: steps
    match: { pathPrefix: /steps }
    rollout:
      strategy: canary
      stable: a
      canary: b
      steps: [10, 50, 100]
      interval: 3600s
      analysis: { maxErrorRate: 0.01, minRequests: 20, failureLimit: 2 }
`;

function notMade(what: string): unknown {
  return { error: `runtime store (Redis) is unavailable: ${what} was not made and will not take effect later; send it again once Redis is back`, code: 'STORE_UNAVAILABLE' };
}

function commandNotMade(command: string): unknown {
  return { error: `the ${command} of route 'steps' was not made and will not take effect later: the runtime store (Redis) did not answer; send it again once Redis is back`, code: 'STORE_UNAVAILABLE' };
}

interface RolloutStatus { phase: string; weights: { canary: number }; history: { event: string }[] }

/**
 * Admin changes while the gateway's Redis hangs (SIGSTOP on a private redis-server): each is
 * answered 503 STORE_UNAVAILABLE, says it was not made, and is still not made once Redis
 * resumes; the same change sent again then succeeds.
 */
describe('admin changes while the runtime store is frozen', { skip }, () => {
  let redis: PrivateRedis;
  let a: EchoUpstream;
  let b: EchoUpstream;
  let gw: TestGateway;
  const admin = (path: string, body: unknown = {}): Promise<JsonResponse> => postJson(`${gw.adminUrl}${path}`, body);
  const rollout = async (): Promise<RolloutStatus> => (await getJson(`${gw.adminUrl}/admin/rollouts/steps`)).body as RolloutStatus;
  const served = async (path: string): Promise<string | null> => {
    const res = await fetch(`${gw.url}${path}`);
    await res.arrayBuffer();
    return res.headers.get('x-switchyard-backend');
  };
  const targets = async (): Promise<Record<string, unknown>> => {
    const { routes } = (await getJson(`${gw.adminUrl}/admin/routes`)).body as { routes: { name: string; target: unknown }[] };
    return Object.fromEntries(routes.map((r) => [r.name, r.target]));
  };

  before(async () => {
    [redis, a, b] = await Promise.all([startPrivateRedis(), startEchoUpstream('a'), startEchoUpstream('b')]);
    gw = await startTestGateway(CONFIG(redis.url, a.url, b.url), { rolloutTickMs: 20 });
    await until(async () => (await rollout()).phase === 'progressing', 'the steps rollout to start');
  });

  after(async () => {
    redis.thaw();
    await gw.stop();
    await Promise.all([redis.kill(), a.close(), b.close()]);
  });

  it('answers weights, switch, abort, pause and promote 503; none takes effect after Redis resumes; sent again, each does', async () => {
    const before = await targets();
    const history = (await rollout()).history.length;
    redis.freeze();
    const refused = [
      await admin('/admin/routes/manual/weights', { canary: 30 }),
      await admin('/admin/routes/bg/switch'),
      await admin('/admin/rollouts/steps/abort', { reason: 'frozen' }),
      await admin('/admin/rollouts/steps/pause'),
      await admin('/admin/rollouts/steps/promote'),
    ];
    assert.deepEqual(refused.map((r) => [r.status, r.headers.get('retry-after'), r.body]), [
      [503, '1', notMade('the change to route \'manual\'')],
      [503, '1', notMade('the change to route \'bg\'')],
      [503, '1', commandNotMade('abort')],
      [503, '1', commandNotMade('pause')],
      [503, '1', commandNotMade('promote')],
    ]);
    redis.thaw();

    // The status read goes through the gateway's store connection, behind everything sent
    // during the freeze: once it answers, whatever Redis was going to run has run.
    await until(async () => (await getJson(`${gw.adminUrl}/admin/rollouts/steps`)).status === 200, 'the store to answer again');
    const resumed = await rollout();
    assert.deepEqual([resumed.phase, resumed.weights.canary, resumed.history.length], ['progressing', 10, history]);
    assert.deepEqual(await targets(), before);
    assert.deepEqual([await served('/manual/x'), await served('/bg/x')], ['a', 'a']);

    const weights = await admin('/admin/routes/manual/weights', { canary: 100 });
    assert.equal(weights.status, 200);
    assert.equal(await served('/manual/x'), 'b');
    assert.equal((await admin('/admin/routes/bg/switch')).status, 200);
    assert.equal(await served('/bg/x'), 'b');
    const aborted = await admin('/admin/rollouts/steps/abort', { reason: 'sent again' });
    assert.deepEqual([aborted.status, (aborted.body as RolloutStatus).phase], [200, 'aborted']);
    // The route's weights follow the store's change notice.
    await until(async () => (await rollout()).weights.canary === 0, 'the aborted canary at 0 %');
  });
});
