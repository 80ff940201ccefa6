import type { RolloutEvent } from '../rollout/machine.js';

/**
 * What a webhook can be told about. Rollout events are the controller's own (machine.ts) less
 * the intermediate ones (failed_check, golden_passed, ...), plus a blue-green switch; experiment
 * alarms come from experiment-alarms.ts.
 */
export const NOTIFICATION_TYPES = [
  'rollout.started', 'rollout.step', 'rollout.paused', 'rollout.resumed', 'rollout.aborted', 'rollout.promoted', 'rollout.blocked',
  'rollout.switched', 'experiment.sample_ratio_mismatch', 'experiment.guardrail_harm',
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

interface Common {
  /** Epoch ms when it happened. */
  readonly at: number;
  /** One line for people (Slack's text, the JSON body's summary). */
  readonly summary: string;
}

export interface RolloutNotification extends Common {
  readonly type: Exclude<NotificationType, 'rollout.switched' | `experiment.${string}`>;
  readonly route: string;
  /** Canary share after the event, percent. */
  readonly weight: number;
  readonly by: RolloutEvent['by'];
  readonly reason: string;
}

export interface SwitchNotification extends Common {
  readonly type: 'rollout.switched';
  readonly route: string;
  /** The backend that takes all traffic now, and the one that had it. */
  readonly active: string;
  readonly previous: string;
}

export interface ExperimentNotification extends Common {
  readonly type: 'experiment.sample_ratio_mismatch' | 'experiment.guardrail_harm';
  readonly experiment: string;
  readonly route: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export type Notification = RolloutNotification | SwitchNotification | ExperimentNotification;

const FROM_ROLLOUT: Readonly<Partial<Record<RolloutEvent['event'], RolloutNotification['type']>>> = {
  started: 'rollout.started', step: 'rollout.step', paused: 'rollout.paused', resumed: 'rollout.resumed',
  aborted: 'rollout.aborted', promoted: 'rollout.promoted', blocked: 'rollout.blocked',
};

/** The notification for a rollout controller event; undefined for events that are not sent. */
export function rolloutNotification(route: string, event: RolloutEvent): RolloutNotification | undefined {
  const type = FROM_ROLLOUT[event.event];
  if (type === undefined) return undefined;
  return {
    type, route, at: event.at, weight: event.weight, by: event.by, reason: event.reason,
    summary: `Rollout ${route}: ${event.event} (canary ${event.weight}%, by ${event.by}): ${event.reason}`,
  };
}

export function switchNotification(route: string, active: string, previous: string, at: number): SwitchNotification {
  return { type: 'rollout.switched', route, active, previous, at, summary: `Rollout ${route}: switched, all traffic to ${active} (was ${previous})` };
}
