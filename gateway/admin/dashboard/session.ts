import { createHash, timingSafeEqual } from 'node:crypto';

/** The dashboard's session cookie: HttpOnly, SameSite=Strict, for the browser tab's lifetime. */
export const SESSION_COOKIE = 'switchyard_admin_session';

/**
 * The cookie's value: a hash of the admin token, never the token itself. Stateless, so every
 * replica with the same token accepts it, and changing the token ends every session.
 */
export function sessionValue(token: string): string {
  return createHash('sha256').update(`switchyard-dashboard-session\u0000${token}`).digest('hex');
}

/** Set-Cookie for a session. No Secure flag: the admin listener speaks plain HTTP (docs/dashboard.md). */
export function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

/** Whether a Cookie header carries the session for `token`, compared in constant time. */
export function sessionMatches(token: string, cookieHeader: string | undefined): boolean {
  if (cookieHeader === undefined || token === '') return false;
  const given = cookieHeader.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.slice(SESSION_COOKIE.length + 1) ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(sessionValue(token)).digest();
  return timingSafeEqual(a, b) && given !== '';
}
