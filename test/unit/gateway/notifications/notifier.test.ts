import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../../observability/logger.js';
import { rolloutNotification, switchNotification } from '../../../../gateway/notifications/events.js';
import { NotificationMetrics } from '../../../../gateway/notifications/metrics.js';
import { Notifier } from '../../../../gateway/notifications/notifier.js';
import type { NotificationsConfig } from '../../../../gateway/notifications/schema.js';
import { notificationsSchema } from '../../../../gateway/notifications/schema.js';
import { verify } from '../../../../gateway/notifications/signing.js';
import { startReceiver, type WebhookReceiver } from '../../../helpers/notifications/receiver.js';

const AT = Date.UTC(2026, 11, 8, 1, 0, 0);
const STEP = rolloutNotification('fraud', { at: AT, event: 'step', by: 'analysis', weight: 50, reason: 'passed at 20%' })!;

function setup(config: unknown, env: Record<string, string> = { HOOK_SECRET: 's3cret' }) {
  const metrics = new NotificationMetrics(new Registry());
  const waits: number[] = [];
  let ids = 0;
  const notifier = new Notifier({
    metrics, log: silentLogger(), now: () => AT + 1_500, env, newId: () => `d-${++ids}`,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  notifier.configure(notificationsSchema.parse(config) satisfies NotificationsConfig);
  const count = async (name: 'deliveries' | 'retries' | 'dropped'): Promise<Record<string, number>> =>
    Object.fromEntries((await metrics[name].get()).values.map((v) => [Object.values(v.labels).join('/'), v.value]));
  return { notifier, waits, count };
}

describe('webhook notifier', () => {
  const receivers: WebhookReceiver[] = [];
  const receiver = async (...answers: Parameters<typeof startReceiver>[0] & unknown[]) => {
    const r = await startReceiver(answers);
    receivers.push(r);
    return r;
  };
  after(async () => {
    for (const r of receivers) await r.close();
  });

  it('posts the JSON body, signed over timestamp and body', async () => {
    const r = await receiver();
    const { notifier, count } = setup({ webhooks: [{ name: 'ops', url: r.url, secretEnv: 'HOOK_SECRET' }] });
    notifier.notify(STEP);
    const [got] = await r.waitFor(1);
    assert.deepEqual(JSON.parse(got!.body), {
      id: 'd-1', source: 'switchyard', type: 'rollout.step', route: 'fraud', at: '2026-12-08T01:00:00.000Z', weight: 50, by: 'analysis',
      reason: 'passed at 20%', summary: 'Rollout fraud: step (canary 50%, by analysis): passed at 20%',
    });
    assert.equal(got!.headers['content-type'], 'application/json');
    assert.equal(got!.headers['x-switchyard-event'], 'rollout.step');
    assert.equal(got!.headers['x-switchyard-delivery'], 'd-1');
    assert.equal(got!.headers['x-switchyard-timestamp'], String(Math.floor((AT + 1_500) / 1000)));
    const signature = got!.headers['x-switchyard-signature'] as string;
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    assert.equal(verify('s3cret', Number(got!.headers['x-switchyard-timestamp']), got!.body, signature), true);
    assert.equal(verify('other', Number(got!.headers['x-switchyard-timestamp']), got!.body, signature), false);
    await notifier.idle();
    assert.deepEqual(await count('deliveries'), { 'ops/delivered': 1 });
  });

  it('posts a Slack body, unsigned without secretEnv, only for the events asked for', async () => {
    const r = await receiver();
    const { notifier } = setup({ webhooks: [{ name: 'slack', url: r.url, format: 'slack', events: ['rollout.switched'] }] });
    notifier.notify(STEP);
    notifier.notify(switchNotification('checkout', 'green', 'blue', AT));
    const [got] = await r.waitFor(1);
    await notifier.idle();
    assert.equal(r.received.length, 1);
    assert.equal(got!.headers['x-switchyard-signature'], undefined);
    assert.deepEqual(JSON.parse(got!.body), {
      text: 'Rollout checkout: switched, all traffic to green (was blue)',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'Rollout checkout: switched, all traffic to green (was blue)' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'rollout.switched · route checkout · active green · 2026-12-08T01:00:00.000Z' }] },
      ],
    });
  });

  it('retries after 500s with doubling backoff, and gives up on a 400 at once', async () => {
    const r = await receiver(500, 503, 200, 400);
    const { notifier, waits, count } = setup({ webhooks: [{ name: 'ops', url: r.url, backoff: '2s' }] });
    notifier.notify(STEP);
    await notifier.idle();
    assert.equal(r.received.length, 3);
    assert.deepEqual(waits, [2_000, 4_000]);
    assert.equal(JSON.parse(r.received[2]!.body).id, JSON.parse(r.received[0]!.body).id);
    notifier.notify(STEP);
    await notifier.idle();
    assert.equal(r.received.length, 4);
    assert.deepEqual(await count('deliveries'), { 'ops/delivered': 1, 'ops/failed': 1 });
    assert.deepEqual(await count('retries'), { ops: 2 });
  });

  it('stops after `retries` more tries, with the wait capped at 30 s', async () => {
    const r = await receiver(500, 500, 500, 500, 500, 500, 500);
    const { notifier, waits, count } = setup({ webhooks: [{ name: 'ops', url: r.url, retries: 6, backoff: '4s' }] });
    notifier.notify(STEP);
    await notifier.idle();
    assert.equal(r.received.length, 7);
    assert.deepEqual(waits, [4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    assert.deepEqual(await count('deliveries'), { 'ops/failed': 1 });
  });

  it('never waits on a hanging receiver: the queue is bounded and drops are counted', async () => {
    const hang = await receiver('hang');
    const ok = await receiver();
    const { notifier, count } = setup({ queueSize: 2, webhooks: [{ name: 'slow', url: hang.url, retries: 0, timeout: '10m' }, { name: 'ok', url: ok.url }] });
    for (let i = 0; i < 4; i++) notifier.notify(STEP); // returns at once: nothing here awaits a delivery
    // Each webhook: one in flight, two waiting, the fourth dropped (notify never waits to make room).
    assert.deepEqual(await count('dropped'), { 'slow/queue_full': 1, 'ok/queue_full': 1 });
    await hang.waitFor(1);
    // The hanging receiver holds up only its own queue.
    await ok.waitFor(3);
    // A reload that removes the webhook drops what waits for it.
    notifier.configure(notificationsSchema.parse({ webhooks: [{ name: 'ok', url: ok.url }] }));
    assert.deepEqual(await count('dropped'), { 'slow/queue_full': 1, 'ok/queue_full': 1, 'slow/removed': 2 });
    assert.equal(hang.received.length, 1);
  });

  it('drops (and counts) events for a webhook whose secret is not in the environment', async () => {
    const r = await receiver();
    const { notifier, count } = setup({ webhooks: [{ name: 'ops', url: r.url, secretEnv: 'MISSING' }] }, {});
    notifier.notify(STEP);
    await notifier.idle();
    assert.equal(r.received.length, 0);
    assert.deepEqual(await count('dropped'), { 'ops/no_secret': 1 });
  });
});
