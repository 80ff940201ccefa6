import { createHash, randomBytes } from 'node:crypto';

/** The dashboard's session cookie: HttpOnly, SameSite=Strict, for the browser tab's lifetime. */
export const SESSION_COOKIE = 'switchyard_admin_session';
/** Longest a session lasts after sign-in, ms (12 h: a working day), whatever the browser keeps. */
export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;
/** Most sessions held at once; signing in past it ends the oldest (each needs the token, so this is a bound, not a quota). */
export const MAX_SESSIONS = 1000;

export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

/** Set-Cookie for a session. No Secure flag: the admin listener speaks plain HTTP (docs/dashboard.md). */
export function sessionCookie(value: string): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The session cookie's value in a Cookie header, or '' when there is none. */
export function sessionFromCookies(cookieHeader: string | undefined): string {
  if (cookieHeader === undefined) return '';
  return cookieHeader.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.slice(SESSION_COOKIE.length + 1) ?? '';
}

/** Sessions are kept by the hash of their value, so a lookup's timing says nothing about the values held. */
function key(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The dashboard's sessions, held by this admin listener: a sign-in opens one (a random 256-bit
 * value in the cookie), sign-out ends it, so a cookie replayed after sign-out is refused. A
 * session ends SESSION_MAX_AGE_MS after sign-in too. Sessions live in this process: a session
 * opened on one gateway replica is not one on another, and a restart ends them all.
 */
export class SessionBook {
  /** Expiry (epoch ms) by the hash of the session's value, oldest first. */
  private readonly sessions = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly maxAgeMs = SESSION_MAX_AGE_MS,
    private readonly maxSessions = MAX_SESSIONS,
  ) {}

  /** Opens a session and returns the cookie's value. */
  open(): string {
    const value = randomBytes(32).toString('hex');
    if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(key(value), this.now() + this.maxAgeMs);
    return value;
  }

  /** Whether the Cookie header carries an open session. */
  matches(cookieHeader: string | undefined): boolean {
    const value = sessionFromCookies(cookieHeader);
    if (value === '') return false;
    const k = key(value);
    const expires = this.sessions.get(k);
    if (expires === undefined) return false;
    if (this.now() < expires) return true;
    this.sessions.delete(k);
    return false;
  }

  /** Ends the session the Cookie header carries, if any. */
  close(cookieHeader: string | undefined): void {
    const value = sessionFromCookies(cookieHeader);
    if (value !== '') this.sessions.delete(key(value));
  }

  get size(): number {
    return this.sessions.size;
  }
}
