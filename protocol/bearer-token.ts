import { createHash, timingSafeEqual } from 'node:crypto';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

/**
 * Whether a listener bound to `host` is reachable from this machine only. Judged by the bind
 * address, as both the gateway's admin listener and the worker do: 0.0.0.0 and :: are not.
 */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
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
