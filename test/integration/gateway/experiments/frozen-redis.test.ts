import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisExperimentStore } from '../../../../gateway/experiments/store/redis.js';
import { RECORD_OUTCOMES } from '../../../../gateway/experiments/store/redis-scripts.js';
import { startEchoUpstream, type EchoUpstream } from '../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { getJson, postJson, type JsonResponse } from '../../../helpers/http.js';
import { startPrivateRedis, type PrivateRedis } from '../../../helpers/private-redis.js';
import { until } from '../../../helpers/process.js';
import { redisSkip } from '../../../helpers/redis.js';

const skip = await redisSkip();

const CONFIG = (upstream: string) => `
backends:
  ranker-v1: { endpoints: [${upstream}] }
  ranker-v2: { endpoints: [${upstream}] }
routes:
  - name: ranker
    match: { pathPrefix: /rank }
    experiment:
      id: ranker-ab
      unit: header:x-user-id
      variants: [{ name: control, backend: ranker-v1, weight: 50 }, { name: treatment, backend: ranker-v2, weight: 50 }]
      metrics: [{ name: revenue, kind: mean }]
`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function unconfirmed(key: string): string {
  return `experiment store (Redis) is unavailable: the outcomes were not confirmed and may still be recorded when Redis answers; retry with idempotencyKey '${key}', which counts them exactly once; try again later`;
}

/**
 * Exactly-once outcomes across a Redis that hangs. SIGSTOP keeps the store's connection open,
 * so a post sent meanwhile waits in Redis's socket: the gateway gives up on it (503), and Redis
 * runs it when it resumes. The 503 carries the post's idempotency key, and a retry with that key
 * must count the post once, whichever of the two reaches Redis first.
 */
describe('outcome posts while Redis is frozen', { skip }, () => {
  let redis: PrivateRedis;
  let upstream: EchoUpstream;
  let gw: TestGateway;
  const post = (body: unknown): Promise<JsonResponse> => postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/outcomes`, body);
  const totals = async (): Promise<Record<string, number | undefined>> => {
    const exported = await getJson(`${gw.adminUrl}/v1/experiments/ranker-ab/export`);
    assert.equal(exported.status, 200);
    const units = (exported.body as { units: { unit: string; metrics: { revenue?: number } }[] }).units;
    return Object.fromEntries(units.map((u) => [u.unit, u.metrics.revenue]));
  };

  /** Posts `body` with `key` until Redis takes it; every 503 on the way must name that key. */
  async function retryUntilTaken(body: Record<string, unknown>, key: string): Promise<JsonResponse> {
    let answer: JsonResponse | undefined;
    await until(async () => {
      answer = await post({ ...body, idempotencyKey: key });
      if (answer.status === 503) assert.equal((answer.body as { idempotencyKey: string }).idempotencyKey, key);
      else assert.equal(answer.status, 200);
      return answer.status === 200;
    }, 'Redis to take the retry');
    return answer!;
  }

  before(async () => {
    [redis, upstream] = await Promise.all([startPrivateRedis(), startEchoUpstream('v1')]);
    // The store sends its script by SHA and falls back to the full text on NOSCRIPT; a frozen
    // SHA call would come back NOSCRIPT and never run, so load the script first, as any Redis
    // that has taken one post before has it.
    const loader = new Redis(redis.url);
    await loader.script('LOAD', RECORD_OUTCOMES);
    loader.disconnect();
    const store = createRedisExperimentStore({ redis: redis.url, commandTimeoutMs: 300 });
    gw = await startTestGateway(CONFIG(upstream.url), { experimentStore: store });
  });

  after(async () => {
    redis.thaw();
    await gw.stop();
    await Promise.all([redis.kill(), upstream.close()]);
  });

  it('answers every post with its idempotency key, made by the server when the client sends none', async () => {
    const made = await post({ unit: 'u0', metric: 'revenue', value: 1 });
    assert.equal(made.status, 200);
    const { idempotencyKey, ...result } = made.body as { idempotencyKey: string };
    assert.deepEqual(result, { accepted: 1, duplicate: false });
    assert.match(idempotencyKey, UUID);
    const again = await post({ unit: 'u0', metric: 'revenue', value: 1, idempotencyKey });
    assert.deepEqual([again.status, again.body], [200, { accepted: 0, duplicate: true, idempotencyKey }]);

    const given = await post({ outcomes: [{ unit: 'u0', metric: 'revenue', value: 1 }], idempotencyKey: 'client-key-1' });
    assert.deepEqual([given.status, given.body], [200, { accepted: 1, duplicate: false, idempotencyKey: 'client-key-1' }]);
    assert.deepEqual(await totals(), { u0: 2 });
  });

  it('counts a post answered 503 during the freeze exactly once when it is retried with the key from the 503', async () => {
    const before = await totals();
    redis.freeze();
    const refused = await post({ unit: 'u1', metric: 'revenue', value: 5 });
    const key = (refused.body as { idempotencyKey: string }).idempotencyKey;
    assert.match(key, UUID);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.deepEqual(refused.body, { idempotencyKey: key, error: unconfirmed(key), code: 'STORE_UNAVAILABLE' });

    const batch = { outcomes: [{ unit: 'u2', metric: 'revenue', value: 7 }, { unit: 'u1', metric: 'revenue', value: 0.5 }] };
    const refusedBatch = await post({ ...batch, idempotencyKey: 'batch-9' });
    assert.deepEqual([refusedBatch.status, refusedBatch.body], [503, { idempotencyKey: 'batch-9', error: unconfirmed('batch-9'), code: 'STORE_UNAVAILABLE' }]);

    redis.thaw();
    // The frozen attempts were already in Redis's socket, ahead of these retries on the same
    // connection: they land first, and each retry finds its key taken.
    const single = await retryUntilTaken({ unit: 'u1', metric: 'revenue', value: 5 }, key);
    assert.deepEqual(single.body, { accepted: 0, duplicate: true, idempotencyKey: key });
    const retriedBatch = await retryUntilTaken(batch, 'batch-9');
    assert.deepEqual(retriedBatch.body, { accepted: 0, duplicate: true, idempotencyKey: 'batch-9' });

    assert.deepEqual(await totals(), { ...before, u1: 5.5, u2: 7 }, 'each post counted once: none lost, none twice');
  });

  it('answers stop and reset 503 during the freeze, and neither happens when Redis resumes', async () => {
    const kept = await totals();
    redis.freeze();
    const stop = await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/stop`, {});
    const reset = await postJson(`${gw.adminUrl}/v1/experiments/ranker-ab/reset`, { confirm: 'ranker-ab' });
    assert.deepEqual([stop.status, stop.body], [503, {
      error: 'experiment store (Redis) is unavailable: the experiment was not stopped, and will not be later; try again later', code: 'STORE_UNAVAILABLE',
    }]);
    assert.deepEqual([reset.status, reset.body], [503, {
      error: 'experiment store (Redis) is unavailable: the experiment was not reset, and will not be later; try again later', code: 'STORE_UNAVAILABLE',
    }]);
    redis.thaw();
    let listing: JsonResponse | undefined;
    await until(async () => (listing = await getJson(`${gw.adminUrl}/v1/experiments`)).status === 200, 'the store to answer again');
    assert.equal((listing!.body as { experiments: { stopped: boolean }[] }).experiments[0]!.stopped, false);
    assert.deepEqual(await totals(), kept);
  });
});
