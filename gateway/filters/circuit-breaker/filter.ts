import { circuitOpen } from '../../errors.js';
import type { FilterFactory } from '../../pipeline/filter.js';
import type { Verdict } from '../../upstream/classify.js';
import { classifyError, classifyStatus, countsAgainstBackend } from '../../upstream/classify.js';
import type { CircuitBreaker } from './breaker.js';

/**
 * One breaker per backend (shared by every route to it, kept across reloads). Open: the
 * request fails fast with 503 CIRCUIT_OPEN and a Retry-After of the open time left, unless
 * mode is observe, which only counts the refusal. It sees the verdict after retries: one
 * request, one result, however many tries it took.
 */
export const circuitBreakerFilter: FilterFactory = {
  name: 'circuit-breaker',
  create(route, deps) {
    const config = route.resilience?.circuitBreaker;
    if (config === undefined || deps.resilience === undefined) return undefined;
    const state = deps.resilience;
    const breakers = new Map<string, CircuitBreaker>(deps.routeBackends.map((b) => [b.name, state.breaker(b.name, config, deps.config)]));
    const rejected = new Map(deps.routeBackends.map((b) => [b.name, state.metrics.breakerRejected.labels(b.name, config.mode)]));
    const enforce = config.mode === 'enforce';
    const now = deps.now;

    return async function breakCircuit(ctx, next) {
      const backend = ctx.assignment!.backend.name;
      const breaker = breakers.get(backend)!;
      const admission = breaker.admit(now());
      if (admission === 'reject') {
        rejected.get(backend)!.inc();
        if (enforce) throw circuitOpen(backend, breaker.retryAfterSeconds(now()));
      }
      const probe = admission === 'probe';
      let verdict: Verdict;
      try {
        const result = await next(ctx);
        verdict = classifyStatus(result.status);
        return result;
      } catch (err) {
        verdict = ctx.clientLeft ? 'cancelled' : classifyError(err);
        throw err;
      } finally {
        breaker.record(now(), heldAgainst(verdict!), probe);
      }
    };
  },
};

/** true: a failure of the backend; false: a success; undefined: neither (refused or cancelled). */
function heldAgainst(verdict: Verdict | undefined): boolean | undefined {
  if (verdict === undefined || verdict === 'rejected' || verdict === 'cancelled') return undefined;
  return countsAgainstBackend(verdict);
}
