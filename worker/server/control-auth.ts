import type { IncomingMessage } from 'node:http';
import { bearerMatches, isLoopback } from '../../protocol/bearer-token.js';
import { SwitchyardError } from '../../protocol/errors.js';
import { WorkerErrorCode } from '../errors.js';

/** Environment variable holding the bearer token of the worker's control plane. */
export const WORKER_TOKEN_ENV = 'SWITCHYARD_WORKER_TOKEN';

/**
 * Why the worker must not start, or undefined when it may. The gateway's admin rule applied to
 * the worker: bound beyond loopback, anyone who reaches it could load and unload models or
 * cancel batch jobs, so a token is required there. Judged by the bind address (0.0.0.0 is not
 * loopback), like the gateway.
 */
export function workerExposureProblem(host: string, token: string | undefined): string | undefined {
  if (isLoopback(host) || (token !== undefined && token !== '')) return undefined;
  return `the worker listens on ${host}, which is not loopback, and ${WORKER_TOKEN_ENV} is not set, so anyone who reaches it ` +
    `could load and unload models; set ${WORKER_TOKEN_ENV} to a secret bearer token, or pass --host 127.0.0.1`;
}

/**
 * The control plane's calls: load and unload (POST /v2/repository/models/{m}/...) and cancelling a
 * batch job (DELETE /v1/jobs/{id}). Inference, metadata, health, the repository index, metrics and
 * reading jobs stay open. `parts` are the decoded path segments.
 */
export function isControlCall(method: string, parts: readonly string[]): boolean {
  if (parts[0] === 'v2' && parts[1] === 'repository' && parts[2] === 'models') return true;
  return method === 'DELETE' && parts[0] === 'v1' && parts[1] === 'jobs';
}

/** Throws 401 unless the request carries `Authorization: Bearer <token>`; no token configured: open (loopback only). */
export function requireControlToken(token: string | undefined, req: IncomingMessage): void {
  if (token === undefined || bearerMatches(token, req.headers.authorization)) return;
  throw new SwitchyardError(WorkerErrorCode.UNAUTHORIZED, 401, `missing or wrong token: loading, unloading and cancelling jobs need Authorization: Bearer <${WORKER_TOKEN_ENV}>`);
}
