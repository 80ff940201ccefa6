import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisStateStore } from '../../../gateway/state/redis-store.js';
import { freePort } from '../../../loadtest/harness/free-port.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';
import { startPrivateRedis, type PrivateRedis } from '../../helpers/private-redis.js';
import { redisSkip } from '../../helpers/redis.js';

const skip = await redisSkip();
const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;

/** Which upstream answers `/r`; every answer must be a 200. */
async function answeredBy(gw: TestGateway): Promise<string> {
  const res = await fetch(`${gw.url}/r`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { upstream: string }).upstream;
}

/** Polls another process's state (Redis reconnects back off up to 2 s). */
async function eventually(probe: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('the gateway with its Redis store down', { skip }, () => {
  let stable: EchoUpstream;
  let canary: EchoUpstream;
  let gw: TestGateway;
  let redisPort: number;
  let redis: PrivateRedis | undefined;

  before(async () => {
    [stable, canary] = await Promise.all([startEchoUpstream('stable'), startEchoUpstream('canary')]);
    redisPort = await freePort();
    gw = await startTestGateway(`store: { redis: "redis://127.0.0.1:${redisPort}", keyPrefix: "${PREFIX}" }
backends: { stable: { endpoints: [${stable.url}] }, canary: { endpoints: [${canary.url}] } }
routes:
  - name: r
    match: { pathPrefix: /r }
    rollout: { strategy: canary, stable: stable, canary: canary, weight: 0 }
`);
  });

  after(async () => {
    await gw.stop();
    await redis?.kill();
    await Promise.all([stable.close(), canary.close()]);
  });

  it('starts and serves from the YAML while Redis is down, takes the shared state once Redis is up, and keeps it when Redis goes away', async () => {
    for (let i = 0; i < 20; i++) assert.equal(await answeredBy(gw), 'stable');

    redis = await startPrivateRedis(redisPort);
    const other = new RedisStateStore({ url: `redis://127.0.0.1:${redisPort}`, keyPrefix: PREFIX });
    try {
      const fingerprint = gw.gateway.current().routesByName.get('r')!.target.fingerprint;
      await other.setOverride('r', { fingerprint, weights: { stable: 0, canary: 100 }, updatedAt: Date.now() });
    } finally {
      await other.close();
    }
    await eventually(async () => (await answeredBy(gw)) === 'canary', 'the override written while this replica was cut off');

    await redis.kill();
    redis = undefined;
    for (let i = 0; i < 20; i++) assert.equal(await answeredBy(gw), 'canary', 'the last known state routes on');
  });
});
