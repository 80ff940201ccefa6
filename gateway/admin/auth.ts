import { isLoopback } from '../../protocol/bearer-token.js';

// Shared with the worker's control plane (worker/server/control-auth.ts).
export { bearerMatches, isLoopback } from '../../protocol/bearer-token.js';

/** Environment variable holding the admin bearer token. */
export const ADMIN_TOKEN_ENV = 'SWITCHYARD_ADMIN_TOKEN';

/**
 * Why the admin listener must not start, or undefined when it may: beyond loopback anyone who
 * reaches it could move traffic, so a token is required there.
 */
export function adminExposureProblem(host: string, token: string | undefined): string | undefined {
  if (isLoopback(host) || (token !== undefined && token !== '')) return undefined;
  return `the admin listener is configured on ${host}, which is not loopback, and ${ADMIN_TOKEN_ENV} is not set; ` +
    `set ${ADMIN_TOKEN_ENV} to a secret bearer token, or set listeners.admin.host to 127.0.0.1`;
}
