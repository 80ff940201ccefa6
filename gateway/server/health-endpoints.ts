import type { ServerResponse } from 'node:http';
import { readiness } from '../health/readiness.js';
import { sendJson } from '../respond.js';
import type { GatewayRuntime } from '../runtime.js';

export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/**
 * /healthz: the process answers (200 while it runs, also while draining).
 * /readyz: 200 when ready to take traffic, else 503 with `{"error","code":"NOT_READY"}` and the reasons.
 * Both listeners serve them; on the data port they take precedence over routes.
 */
export function answerHealth(res: ServerResponse, path: string, runtime: GatewayRuntime): void {
  if (path === '/healthz') return sendJson(res, 200, { status: 'alive' });
  const state = readiness(runtime.current, runtime.draining);
  if (state.ready) return sendJson(res, 200, { status: 'ready', backends: state.backends });
  sendJson(res, 503, { error: `not ready: ${state.reasons.join('; ')}`, code: 'NOT_READY', backends: state.backends });
}
