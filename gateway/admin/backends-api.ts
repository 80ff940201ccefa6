import type { ServerResponse } from 'node:http';
import { backendReport } from '../health/backend-report.js';
import type { ResilienceState } from '../resilience/state.js';
import { sendJson } from '../respond.js';
import type { GatewayRuntime } from '../runtime.js';
import { requireMethod } from './request.js';

/**
 * GET /admin/backends: each backend, whether it takes live traffic and in which routes, its
 * breaker, and each endpoint's state with the reason and since when. Backend health lives
 * here and in the log, not in /readyz (docs/operations.md).
 */
export function answerBackends(res: ServerResponse, method: string, path: string, runtime: GatewayRuntime, now: number, resilience: ResilienceState | undefined): void {
  requireMethod(method, path, 'GET');
  sendJson(res, 200, { backends: backendReport(runtime.current, now, (b) => resilience?.breakerState(b)) });
}
