import type { ServerResponse } from 'node:http';
import { methodNotAllowed } from '../errors.js';
import { serverLive, serverMetadata, serverReadiness } from '../health/inference-server.js';
import { sendError, sendJson } from '../respond.js';
import type { GatewayRuntime } from '../runtime.js';

/**
 * The protocol's server-level REST endpoints, which tritonclient's is_server_live() /
 * is_server_ready() / get_server_metadata() call. The gateway answers them itself on the data
 * listener, before any route (as it answers ServerLive and friends over gRPC): they describe
 * the gateway, not one backend.
 */
export const INFERENCE_SERVER_PATHS: ReadonlySet<string> = new Set(['/v2', '/v2/health/live', '/v2/health/ready']);

/** 200 for live, ready and metadata; not ready is 400 (the protocol wants a 4xx) with the /readyz reasons. */
export function answerInferenceServer(res: ServerResponse, method: string, path: string, runtime: GatewayRuntime): void {
  if (method !== 'GET' && method !== 'HEAD') {
    sendError(res, methodNotAllowed(method, path, 'GET'));
    return;
  }
  if (path === '/v2') return sendJson(res, 200, serverMetadata());
  if (path === '/v2/health/live') return sendJson(res, 200, { live: serverLive() });
  const state = serverReadiness(runtime);
  if (state.ready) return sendJson(res, 200, { ready: true });
  sendJson(res, 400, { error: `not ready: ${state.reasons.join('; ')}`, code: 'NOT_READY' });
}
