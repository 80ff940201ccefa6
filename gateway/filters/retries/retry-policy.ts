import type { RetriesConfig } from '../../config/schema.js';
import type { UpstreamResult } from '../../pipeline/filter.js';
import { neverSent } from '../../upstream/classify.js';
import type { RetryBudgetCounts } from '../../resilience/state.js';

/** Methods that may be repeated without harm (RFC 9110 §9.2.2), besides POSTs to model routes. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** One settled try. `timedOut`: the gateway's per-try timer ended it. */
export type TryOutcome = { readonly result: UpstreamResult } | { readonly error: unknown; readonly timedOut: boolean };

/**
 * Is this outcome worth another try? A request that never reached the upstream (connection
 * refused) always is; one the upstream may have acted on (a listed status, a timeout, a broken
 * exchange) only when the call is safe to repeat.
 */
export function isRetryable(outcome: TryOutcome, retryOn: ReadonlySet<number>, safe: boolean): boolean {
  if ('result' in outcome) return safe && retryOn.has(outcome.result.status);
  if (neverSent(outcome.error)) return true;
  return safe && (outcome.timedOut || isUpstreamFailure(outcome.error));
}

function isUpstreamFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'UPSTREAM_ERROR' || code === 'UPSTREAM_TIMEOUT';
}

/** Safe to repeat: as configured, else model routes (inference has no side effects) and idempotent methods. */
export function isSafe(config: RetriesConfig | undefined, modelRoute: boolean, method: string): boolean {
  return config?.safe ?? (modelRoute || IDEMPOTENT_METHODS.has(method));
}

/**
 * Envoy's retry budget: retries in flight may be at most `budgetPercent` of the route's
 * requests in flight, and `minRetryConcurrency` are always allowed. So when every request
 * fails, the upstream sees at most (1 + budgetPercent/100) times the load, not (1 + attempts) times.
 */
export function budgetAllows(counts: RetryBudgetCounts, config: RetriesConfig): boolean {
  const allowed = Math.max(config.minRetryConcurrency, (config.budgetPercent / 100) * counts.active);
  return counts.retrying < allowed;
}

/** Full-jitter exponential backoff, ms: random in [0, min(base × 2^retry, 10 × base)). */
export function backoffMs(base: number, retry: number, random: () => number): number {
  return random() * Math.min(base * 2 ** retry, base * 10);
}
