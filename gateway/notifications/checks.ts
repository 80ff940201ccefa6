import { error } from '../config/errors.js';
import type { ConfigFinding } from '../config/errors.js';
import type { Check } from '../config/semantic/context.js';

/** Webhook names label metrics and log lines, so each is used once. */
export const checkNotifications: Check = (config) => {
  const findings: ConfigFinding[] = [];
  const seen = new Map<string, number>();
  (config.notifications?.webhooks ?? []).forEach((hook, i) => {
    const first = seen.get(hook.name);
    if (first !== undefined) findings.push(error(['notifications', 'webhooks', i, 'name'], `'${hook.name}' is already the name of notifications.webhooks[${first}]; give each webhook its own name`));
    else seen.set(hook.name, i);
  });
  return findings;
};
