import type { ServerResponse } from 'node:http';
import { invalidRequest } from '../errors.js';
import { sendJson } from '../respond.js';
import type { RolloutController } from '../rollout/controller.js';
import type { RolloutEvent } from '../rollout/machine.js';
import type { CompiledGateway } from '../routing/compile.js';
import type { SeriesRecorder } from './dashboard/series/recorder.js';
import { requireMethod } from './request.js';

/** The window the charts show when the query names none, minutes. */
const DEFAULT_MINUTES = 15;
/** The longest window, minutes: what the recorder keeps (SERIES_KEEP_MS). */
const MAX_MINUTES = 60;

/** Rollout history events the charts mark; failed checks and analyses are in the rollout panel. */
const MARKED_EVENTS: ReadonlySet<RolloutEvent['event']> = new Set(['started', 'step', 'paused', 'resumed', 'aborted', 'promoted', 'blocked', 'would_abort']);

/**
 * GET /admin/series?minutes=N (1 to 60, default 15): per canary and blue-green route, each side's
 * points (weight, request rate, error rate, p99 per sampling interval) and the events to mark:
 * the rollout controller's history (step, paused, resumed, aborted, promoted, ...) and the
 * switches the recorder saw. Times are ISO 8601.
 */
export async function answerSeries(
  res: ServerResponse, method: string, path: string, url: string, recorder: SeriesRecorder, compiled: CompiledGateway,
  rollouts: RolloutController | undefined, now: number,
): Promise<void> {
  requireMethod(method, path, 'GET');
  const minutes = readMinutes(new URL(url, 'http://admin').searchParams.get('minutes'));
  const since = now - minutes * 60_000;
  const routes = await Promise.all(recorder.read(since).map(async (series) => {
    const route = compiled.routesByName.get(series.route);
    const state = route === undefined || rollouts === undefined ? undefined : await rollouts.status(route);
    const history = (state?.history ?? []).filter((e) => e.at >= since && MARKED_EVENTS.has(e.event));
    const events = [...history, ...series.markers].sort((a, b) => a.at - b.at).map((e) => ({ ...e, at: iso(e.at) }));
    return {
      route: series.route, strategy: series.strategy,
      sides: series.sides.map((s) => ({ side: s.side, points: s.points.map((p) => ({ ...p, at: iso(p.at) })) })),
      events,
    };
  }));
  sendJson(res, 200, { now: iso(now), minutes, intervalSeconds: recorder.intervalMs / 1000, routes });
}

function readMinutes(given: string | null): number {
  if (given === null) return DEFAULT_MINUTES;
  const minutes = Number(given);
  if (given.trim() === '' || !Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) {
    throw invalidRequest(`minutes: expected a whole number from 1 to ${MAX_MINUTES}; received '${given}'`);
  }
  return minutes;
}

function iso(at: number): string {
  return new Date(at).toISOString();
}
