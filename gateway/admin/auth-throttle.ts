/** Wrong tokens one address may send within AUTH_FAILURE_WINDOW_MS before it is throttled. */
export const AUTH_FAILURE_LIMIT = 10;
/** The window failures are counted over, ms (a sliding minute). */
export const AUTH_FAILURE_WINDOW_MS = 60_000;
/** Addresses tracked at once; past it the one tracked longest is forgotten, so a flood of addresses cannot grow memory. */
const MAX_ADDRESSES = 10_000;

/**
 * Throttles token guessing on the admin listener: an address that sent AUTH_FAILURE_LIMIT wrong
 * tokens within the last AUTH_FAILURE_WINDOW_MS gets 429 on every credentialed request, right
 * token or not, until the oldest of those failures is a window old. Only wrong tokens count
 * (a request without credentials, or with an unknown session cookie, does not), so a dashboard
 * left open on the sign-in dialog never throttles itself.
 */
export class AuthThrottle {
  /** Failure times (epoch ms, ascending) per remote address. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    private readonly limit = AUTH_FAILURE_LIMIT,
    private readonly windowMs = AUTH_FAILURE_WINDOW_MS,
  ) {}

  /** Whole seconds until `address` may try again (at least 1), or 0 when it is not throttled. */
  retryAfterSeconds(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.limit) return 0;
    const freeAt = recent[recent.length - this.limit]! + this.windowMs;
    return Math.max(1, Math.ceil((freeAt - this.now()) / 1000));
  }

  recordFailure(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    // Re-inserted so the map's order is least recently failed first.
    this.failures.delete(address);
    this.failures.set(address, recent);
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }

  /** The address's failures still inside the window (older ones dropped). */
  private recent(address: string): number[] {
    const times = this.failures.get(address);
    if (times === undefined) return [];
    const since = this.now() - this.windowMs;
    while (times.length > 0 && times[0]! <= since) times.shift();
    if (times.length === 0) this.failures.delete(address);
    return times;
  }
}
