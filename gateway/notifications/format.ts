import type { Notification } from './events.js';

/** The generic JSON body: the event's fields as they are, with a delivery id and ISO time. */
export function jsonBody(id: string, n: Notification): Record<string, unknown> {
  return { id, source: 'switchyard', ...n, at: new Date(n.at).toISOString() };
}

/**
 * A Slack incoming-webhook body: `text` (what notifications and clients without blocks show)
 * and two blocks, the summary and a context line of the fields. Mattermost reads the same.
 */
export function slackBody(n: Notification): Record<string, unknown> {
  return {
    text: n.summary,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: n.summary } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: contextLine(n) }] },
    ],
  };
}

function contextLine(n: Notification): string {
  const at = new Date(n.at).toISOString();
  switch (n.type) {
    case 'rollout.switched':
      return `${n.type} · route ${n.route} · active ${n.active} · ${at}`;
    case 'experiment.sample_ratio_mismatch':
    case 'experiment.guardrail_harm':
      return `${n.type} · experiment ${n.experiment} · route ${n.route} · ${at}`;
    default:
      return `${n.type} · route ${n.route} · canary ${n.weight}% · by ${n.by} · ${at}`;
  }
}
