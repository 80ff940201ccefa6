import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { request } from 'undici';
import type { Logger } from '../../observability/logger.js';
import type { Notification } from './events.js';
import { jsonBody, slackBody } from './format.js';
import type { NotificationMetrics } from './metrics.js';
import type { Attempt } from './retry.js';
import { backoffMs, delivered, retryable } from './retry.js';
import type { NotificationsConfig, WebhookConfig } from './schema.js';
import { DEFAULT_WEBHOOK_MAX_BACKOFF_MS, DEFAULT_WEBHOOK_QUEUE } from './schema.js';
import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from './signing.js';

export const EVENT_HEADER = 'x-switchyard-event';
export const DELIVERY_HEADER = 'x-switchyard-delivery';

/** One POST; injected in tests that need a receiver to misbehave without a socket. */
export type Post = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<Attempt>;

export interface NotifierDeps {
  readonly metrics: NotificationMetrics;
  readonly log: Logger;
  /** Epoch ms: the signature's timestamp. */
  readonly now: () => number;
  /** Waits between retries; tests record the waits and return at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Default: the environment. Read at every (re)configuration, never logged. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly post?: Post;
  readonly newId?: () => string;
}

interface Hook {
  config: WebhookConfig;
  secret: string | undefined;
  readonly queue: { readonly id: string; readonly notification: Notification }[];
  /** The drain loop, while one runs. */
  running: Promise<void> | undefined;
  removed: boolean;
}

/**
 * Sends notifications to the configured webhooks without ever making the caller wait:
 * `notify` only appends to a bounded queue per webhook (full: the event is dropped and
 * counted), and one loop per webhook delivers its queue in order, each event with retries.
 * A webhook that hangs or is down delays only its own queue.
 *
 * `configure` applies a reloaded `notifications:` section: webhooks keep their queue across
 * a reload by name; a removed webhook's waiting events are dropped and counted.
 */
export class Notifier {
  private hooks = new Map<string, Hook>();
  private queueSize = DEFAULT_WEBHOOK_QUEUE;
  private readonly log: Logger;

  constructor(private readonly deps: NotifierDeps) {
    this.log = deps.log.child({ component: 'notifications' });
  }

  configure(config: NotificationsConfig | undefined): void {
    const env = this.deps.env ?? process.env;
    const next = new Map<string, Hook>();
    for (const webhook of config?.webhooks ?? []) {
      const secret = webhook.secretEnv === undefined ? undefined : env[webhook.secretEnv] || undefined;
      if (webhook.secretEnv !== undefined && secret === undefined) {
        this.log.error({ event: 'notification_secret_missing', webhook: webhook.name, env: webhook.secretEnv }, `webhook ${webhook.name}: the environment variable ${webhook.secretEnv} is not set; its notifications are dropped until it is (they would go out unsigned)`);
      }
      const hook = this.hooks.get(webhook.name) ?? { config: webhook, secret, queue: [], running: undefined, removed: false };
      hook.config = webhook;
      hook.secret = secret;
      next.set(webhook.name, hook);
    }
    for (const [name, hook] of this.hooks) {
      if (next.has(name)) continue;
      hook.removed = true;
      if (hook.queue.length > 0) this.deps.metrics.dropped.labels(name, 'removed').inc(hook.queue.splice(0).length);
    }
    this.hooks = next;
    this.queueSize = config?.queueSize ?? DEFAULT_WEBHOOK_QUEUE;
  }

  /** Queues a notification for every webhook that wants its type. Never throws, never waits. */
  notify(notification: Notification): void {
    for (const [name, hook] of this.hooks) {
      if (hook.config.events !== undefined && !hook.config.events.includes(notification.type)) continue;
      if (hook.config.secretEnv !== undefined && hook.secret === undefined) {
        this.deps.metrics.dropped.labels(name, 'no_secret').inc();
        continue;
      }
      if (hook.queue.length >= this.queueSize) {
        this.deps.metrics.dropped.labels(name, 'queue_full').inc();
        this.log.warn({ event: 'notification_dropped', webhook: name, type: notification.type }, `webhook ${name}: ${this.queueSize} notifications are waiting; this one is dropped`);
        continue;
      }
      hook.queue.push({ id: (this.deps.newId ?? randomUUID)(), notification });
      hook.running ??= this.drain(name, hook).finally(() => (hook.running = undefined));
    }
  }

  /** Resolves when every queue is empty and no delivery is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.hooks.values()].map((h) => h.running).filter((p) => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  private async drain(name: string, hook: Hook): Promise<void> {
    for (let item = hook.queue.shift(); item !== undefined && !hook.removed; item = hook.queue.shift()) {
      await this.deliver(name, hook, item.id, item.notification);
    }
  }

  /** One event to one webhook: the first try and up to `retries` more, with backoff between. */
  private async deliver(name: string, hook: Hook, id: string, notification: Notification): Promise<void> {
    const body = JSON.stringify(hook.config.format === 'slack' ? slackBody(notification) : jsonBody(id, notification));
    let last: Attempt = { error: 'not tried' };
    for (let n = 0; n <= hook.config.retries; n++) {
      if (n > 0) {
        this.deps.metrics.retries.labels(name).inc();
        await (this.deps.sleep ?? unrefSleep)(backoffMs(n, hook.config.backoff, DEFAULT_WEBHOOK_MAX_BACKOFF_MS));
        if (hook.removed) {
          this.deps.metrics.dropped.labels(name, 'removed').inc();
          return;
        }
      }
      last = await (this.deps.post ?? postJson)(hook.config.url, this.headers(hook, id, notification, body), body, hook.config.timeout);
      if (delivered(last)) {
        this.deps.metrics.deliveries.labels(name, 'delivered').inc();
        return;
      }
      if (!retryable(last)) break;
    }
    this.deps.metrics.deliveries.labels(name, 'failed').inc();
    const why = 'status' in last ? `answered ${last.status}` : last.error;
    this.log.warn({ event: 'notification_failed', webhook: name, type: notification.type, delivery: id, reason: why }, `webhook ${name}: ${notification.type} was not delivered (${why})`);
  }

  private headers(hook: Hook, id: string, notification: Notification, body: string): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', [EVENT_HEADER]: notification.type, [DELIVERY_HEADER]: id };
    if (hook.secret !== undefined) {
      // Signed per attempt: a retry carries a fresh timestamp, so receivers can keep a short replay window.
      const timestamp = Math.floor(this.deps.now() / 1000);
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = sign(hook.secret, timestamp, body);
    }
    return headers;
  }
}

/** A wait that does not keep the process alive on its own. */
function unrefSleep(ms: number): Promise<void> {
  return sleepFor(ms, undefined, { ref: false });
}

/** POST with undici; any answer is an attempt with its status, a failure to get one is an error. */
async function postJson(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Attempt> {
  try {
    const res = await request(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    return { status: res.statusCode };
  } catch (err) {
    const e = err as Error;
    return { error: e.name === 'TimeoutError' ? `no answer within ${timeoutMs}ms` : e.message };
  }
}
