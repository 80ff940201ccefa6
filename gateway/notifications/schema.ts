import { z } from 'zod';
import { expected, nameSchema } from '../config/schema/expect.js';
import { durationMs } from '../config/schema/units.js';
import { NOTIFICATION_TYPES } from './events.js';

/** Tries after the first failed delivery of one event to one webhook. */
export const DEFAULT_WEBHOOK_RETRIES = 4;
/** First wait before a retry, ms; doubled per retry up to DEFAULT_WEBHOOK_MAX_BACKOFF_MS. */
export const DEFAULT_WEBHOOK_BACKOFF_MS = 1_000;
export const DEFAULT_WEBHOOK_MAX_BACKOFF_MS = 30_000;
/** One delivery attempt, ms: a receiver that does not answer in time is a failed try. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5_000;
/** Events waiting per webhook; past it a new event is dropped and counted. */
export const DEFAULT_WEBHOOK_QUEUE = 100;
/** How often the analysis leader looks at experiment results for alarms, ms. */
export const DEFAULT_ALARM_INTERVAL_MS = 60_000;

const TYPE_RULE = `one of ${NOTIFICATION_TYPES.map((t) => `'${t}'`).join(', ')}`;
const URL_RULE = "an http:// or https:// URL such as 'https://hooks.slack.com/services/...'";
const ENV_RULE = 'the name of an environment variable holding the signing secret, such as SWITCHYARD_WEBHOOK_SECRET';

export const webhookSchema = z.strictObject({
  /** In logs and metric labels. */
  name: nameSchema(),
  url: z.string({ error: expected(URL_RULE) }).regex(/^https?:\/\/[^\s/]+/, { error: expected(URL_RULE) }),
  /** 'json': Switchyard's own body; 'slack': {"text", "blocks"} for a Slack (or Mattermost) incoming webhook. */
  format: z.enum(['json', 'slack'], { error: expected("'json' or 'slack'") }).default('json'),
  /**
   * Environment variable with the HMAC secret; absent: deliveries are not signed. The secret
   * itself never goes in the YAML (it would end up in git and in /admin/config).
   */
  secretEnv: z.string({ error: expected(ENV_RULE) }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: expected(ENV_RULE) }).optional(),
  /** Which events; absent: all of them. */
  events: z.array(z.enum(NOTIFICATION_TYPES, { error: expected(TYPE_RULE) }), { error: expected(`a list of event types, each ${TYPE_RULE}`) }).min(1).optional(),
  /** One attempt, a duration (default 5s). */
  timeout: durationMs().default(DEFAULT_WEBHOOK_TIMEOUT_MS),
  /** Retries after a failed attempt (connection error, timeout, 429 or 5xx), default 4; 0: none. */
  retries: z.number({ error: expected('a whole number of retries, 0 or more') }).int({ error: expected('a whole number of retries, 0 or more') })
    .min(0, { error: expected('a whole number of retries, 0 or more') }).max(10, { error: expected('a whole number of retries, at most 10') }).default(DEFAULT_WEBHOOK_RETRIES),
  /** First wait before a retry (default 1s), doubled per retry, at most 30s. */
  backoff: durationMs().default(DEFAULT_WEBHOOK_BACKOFF_MS),
});

/** Top-level `notifications:` (docs/config.md#notifications). */
export const notificationsSchema = z.strictObject({
  webhooks: z.array(webhookSchema, { error: expected('a list of webhooks, each {name, url}') }).default([]),
  /** Events waiting per webhook while it is slow or down (default 100); past it new events are dropped and counted. */
  queueSize: z.number({ error: expected('a whole number of events, 1 or more') }).int({ error: expected('a whole number of events, 1 or more') })
    .min(1, { error: expected('a whole number of events, 1 or more') }).default(DEFAULT_WEBHOOK_QUEUE),
  /** How often experiment results are checked for alarms (default 1m). */
  alarmInterval: durationMs().default(DEFAULT_ALARM_INTERVAL_MS),
});

export type WebhookConfig = z.infer<typeof webhookSchema>;
export type NotificationsConfig = z.infer<typeof notificationsSchema>;
