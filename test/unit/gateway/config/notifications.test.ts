import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';

const BASE = `backends:
  a: { endpoints: [http://127.0.0.1:1] }
routes:
  - { name: r, match: { pathPrefix: / }, backend: a }
`;

function check(notifications: string) {
  const result = parseConfig(`${BASE}notifications:\n${notifications}`, 'gw.yaml', { listDir: () => undefined });
  return result.ok ? { config: result.config.notifications, errors: [] } : { config: undefined, errors: result.errors.map((e) => formatConfigError(e)) };
}

describe('notifications config', () => {
  it('fills the defaults in', () => {
    assert.deepEqual(check('  webhooks: [{ name: ops, url: "https://hooks.example.com/x" }]\n').config, {
      queueSize: 100, alarmInterval: 60_000,
      webhooks: [{ name: 'ops', url: 'https://hooks.example.com/x', format: 'json', timeout: 5_000, retries: 4, backoff: 1_000 }],
    });
  });

  it('names what is wrong: the event, the format, a secret written in the file, a name used twice', () => {
    assert.deepEqual(check(`  webhooks:
    - { name: ops, url: "ftp://x", format: teams, events: [rollout.finished] }
    - { name: ops, url: "https://x", secret: hunter2 }
`).errors, [
      "gw.yaml:7:25: notifications.webhooks[0].url: expected an http:// or https:// URL such as 'https://hooks.slack.com/services/...'; found 'ftp://x'",
      "gw.yaml:7:44: notifications.webhooks[0].format: expected 'json' or 'slack'; found 'teams'",
      "gw.yaml:7:60: notifications.webhooks[0].events[0]: expected one of 'rollout.started', 'rollout.step', 'rollout.paused', 'rollout.resumed', 'rollout.aborted', 'rollout.promoted', 'rollout.blocked', 'rollout.switched', 'experiment.sample_ratio_mismatch', 'experiment.guardrail_harm'; found 'rollout.finished'",
      "gw.yaml:8:38: notifications.webhooks[1].secret: unknown key 'secret'; expected one of: name, url, format, secretEnv, events, timeout, retries, backoff",
    ]);
    assert.deepEqual(check(`  webhooks:
    - { name: ops, url: "https://x" }
    - { name: ops, url: "https://y" }
`).errors, ["gw.yaml:8:15: notifications.webhooks[1].name: 'ops' is already the name of notifications.webhooks[0]; give each webhook its own name"]);
  });
});
