import { Counter, type Registry } from 'prom-client';

/** Webhook deliveries. Labels: webhook names from the config and fixed words only. */
export class NotificationMetrics {
  /** outcome: delivered | failed (retries spent or not retryable). */
  readonly deliveries: Counter<'webhook' | 'outcome'>;
  readonly retries: Counter<'webhook'>;
  /** reason: queue_full | removed (the webhook left the config with events waiting) | no_secret. */
  readonly dropped: Counter<'webhook' | 'reason'>;

  constructor(registry: Registry) {
    this.deliveries = new Counter({
      name: 'switchyard_notifications_total', help: 'Webhook notifications by webhook and outcome (delivered, failed).',
      labelNames: ['webhook', 'outcome'], registers: [registry],
    });
    this.retries = new Counter({
      name: 'switchyard_notification_retries_total', help: 'Webhook delivery attempts after a failed one, by webhook.',
      labelNames: ['webhook'], registers: [registry],
    });
    this.dropped = new Counter({
      name: 'switchyard_notifications_dropped_total', help: 'Notifications never sent, by webhook and reason (queue_full, removed, no_secret).',
      labelNames: ['webhook', 'reason'], registers: [registry],
    });
  }
}
