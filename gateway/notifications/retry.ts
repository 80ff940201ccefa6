/** The outcome of one delivery attempt. */
export type Attempt = { readonly status: number } | { readonly error: string };

/**
 * Whether to try again: connection errors and timeouts, 429 and 5xx are the receiver's
 * trouble and may pass; any other status (a 400, a 404 for a deleted Slack hook) will not.
 */
export function retryable(attempt: Attempt): boolean {
  if ('error' in attempt) return true;
  return attempt.status === 429 || attempt.status >= 500;
}

export function delivered(attempt: Attempt): boolean {
  return 'status' in attempt && attempt.status >= 200 && attempt.status < 300;
}

/** Wait before retry `n` (1-based), ms: base, doubled each time, at most `max`. No jitter: few senders, and tests stay exact. */
export function backoffMs(n: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** (n - 1));
}
