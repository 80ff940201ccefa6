import type { IncomingMessage } from 'node:http';
import { bearerMatches } from './auth.js';
import { AuthThrottle } from './auth-throttle.js';
import { SessionBook } from './dashboard/session.js';
import { tooManyAuthFailures, unauthorized } from '../errors.js';

/**
 * Who may use the admin listener: the bearer token (SWITCHYARD_ADMIN_TOKEN) or a dashboard
 * session traded for it, with wrong tokens throttled per remote address. Without a token
 * (loopback only) everything is open and nothing is counted.
 */
export class AdminAuth {
  readonly sessions: SessionBook;
  private readonly throttle: AuthThrottle;

  constructor(readonly token: string | undefined, now: () => number) {
    this.sessions = new SessionBook(now);
    this.throttle = new AuthThrottle(now);
  }

  /** Throws 429 (throttled) or 401 unless the request carries the token or an open session. */
  authorize(req: IncomingMessage): void {
    if (this.token === undefined) return;
    const address = addressOf(req);
    this.refuseIfThrottled(address);
    const authorization = req.headers.authorization;
    if (bearerMatches(this.token, authorization)) return;
    // A wrong token counts; a missing one, or a session that ended, is only refused.
    if (authorization !== undefined) this.throttle.recordFailure(address);
    if (!this.sessions.matches(req.headers.cookie)) throw unauthorized();
  }

  /** Trades the token for a new session's cookie value; throws 429 or 401 (counted) otherwise. */
  signIn(req: IncomingMessage, given: string): string {
    if (this.token === undefined) throw new Error('no admin token is configured; there is nothing to sign in to');
    const address = addressOf(req);
    this.refuseIfThrottled(address);
    if (!bearerMatches(this.token, `Bearer ${given}`)) {
      this.throttle.recordFailure(address);
      throw unauthorized();
    }
    return this.sessions.open();
  }

  signOut(req: IncomingMessage): void {
    this.sessions.close(req.headers.cookie);
  }

  private refuseIfThrottled(address: string): void {
    const retryAfterSeconds = this.throttle.retryAfterSeconds(address);
    if (retryAfterSeconds > 0) throw tooManyAuthFailures(retryAfterSeconds);
  }
}

/** The peer's address; behind no proxy (the admin listener is reached directly or port-forwarded). */
function addressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
