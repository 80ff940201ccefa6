import { createHash, timingSafeEqual } from 'node:crypto';

/** Environment variable holding the admin bearer token. */
export const ADMIN_TOKEN_ENV = 'SWITCHYARD_ADMIN_TOKEN';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/**
 * Why the admin listener must not start, or undefined when it may: beyond loopback anyone who
 * reaches it could move traffic, so a token is required there.
 */
export function adminExposureProblem(host: string, token: string | undefined): string | undefined {
  if (isLoopback(host) || (token !== undefined && token !== '')) return undefined;
  return `the admin listener is configured on ${host}, which is not loopback, and ${ADMIN_TOKEN_ENV} is not set; ` +
    `set ${ADMIN_TOKEN_ENV} to a secret bearer token, or set listeners.admin.host to 127.0.0.1`;
}

/**
 * `Authorization: Bearer <token>` compared in constant time: both sides are hashed to equal
 * length first, so neither the content nor the length of the token leaks through timing.
 */
export function bearerMatches(expected: string, authorization: string | undefined): boolean {
  if (authorization === undefined) return false;
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  const given = match?.[1] ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given !== '';
}
