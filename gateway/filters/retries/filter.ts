import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { upstreamTimeout } from '../../errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import { WRITTEN, type FilterFactory, type Next, type UpstreamResult } from '../../pipeline/filter.js';
import { bufferResult, discardResult } from '../../upstream/buffer-result.js';
import { hasBody } from '../../upstream/forward.js';
import { backoffMs, budgetAllows, isRetryable, isSafe, type TryOutcome } from './retry-policy.js';

/**
 * Timeouts and retries (`resilience.timeouts`, `resilience.retries`). Each try gets its own
 * signal, aborted by the per-try timer, the total timer or the client leaving; a model
 * route's answer is read whole within its try, so a stalled body is a timed-out try too. A
 * retry goes to another endpoint when the backend has one, after a jittered backoff, while
 * the retry budget allows and the total time lasts. The connect timeout is the endpoints'
 * (set when the chain is compiled). The result is the last try's.
 */
export const retriesFilter: FilterFactory = {
  name: 'retries',
  create(route, deps) {
    const resilience = route.resilience;
    if (resilience === undefined || deps.resilience === undefined) return undefined;
    const { connect, perTry, total } = resilience.timeouts;
    for (const b of deps.routeBackends) for (const e of b.endpoints) e.connectTimeoutMs = Math.min(e.connectTimeoutMs, connect);
    const retries = resilience.retries;
    const attempts = retries?.attempts ?? 0;
    const retryOn = new Set(retries?.retryOn ?? []);
    const budget = deps.resilience.budget(route.name);
    const { metrics } = deps.resilience;
    const modelRoute = deps.routeBackends.some((b) => b.model !== undefined);
    const perTryTimeouts = metrics.timeouts.labels(route.name, 'perTry');
    const totalTimeouts = metrics.timeouts.labels(route.name, 'total');
    const random = deps.random;

    return async function retryWithTimeouts(ctx, next) {
      const backend = ctx.assignment!.backend;
      const safe = isSafe(retries, modelRoute, ctx.method);
      // A status can only be retried if it has not gone to the client yet.
      if (attempts > 0 && retryOn.size > 0 && safe) ctx.sink = undefined;
      const total$ = new TotalTimer(total);
      budget.active++;
      let retry = 0;
      let retrying = false;
      try {
        for (;;) {
          const outcome = await tryOnce(ctx, next, perTry, total$, backend.model !== undefined && ctx.body !== undefined);
          if (retrying) {
            budget.retrying--;
            retrying = false;
          }
          if (total$.expired) {
            totalTimeouts.inc();
            if ('result' in outcome) discardResult(outcome.result);
            throw upstreamTimeout(backend.name, new Error(`total timeout of ${total} ms`));
          }
          if (!('result' in outcome) && outcome.timedOut) perTryTimeouts.inc();
          if (retry >= attempts || ctx.clientLeft || !replayable(ctx) || written(outcome) || !isRetryable(outcome, retryOn, safe)) {
            return settle(outcome, backend.name, perTry);
          }
          if (!budgetAllows(budget, retries!)) {
            metrics.retryBudgetExhausted.labels(route.name, backend.name).inc();
            return settle(outcome, backend.name, perTry);
          }
          const wait = backoffMs(retries!.backoff, retry, random);
          if (wait >= total$.remaining()) return settle(outcome, backend.name, perTry);
          if ('result' in outcome) discardResult(outcome.result);
          // A retry holds the budget from the decision on, backoff included.
          budget.retrying++;
          retrying = true;
          retry++;
          metrics.retries.labels(route.name, backend.name).inc();
          if (wait > 0) await sleep(wait);
          ctx.avoidEndpoint = ctx.endpoint;
        }
      } finally {
        if (retrying) budget.retrying--;
        total$.clear();
        budget.active--;
        ctx.upstreamSignal = undefined;
      }
    };
  },
};

/** The whole request's deadline: one timer, aborting whichever try is running. */
class TotalTimer {
  expired = false;
  current: EventEmitter | undefined;
  private readonly deadline: number;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.deadline = performance.now() + ms;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.current?.emit('abort');
    }, ms);
  }

  remaining(): number {
    return this.deadline - performance.now();
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

async function tryOnce(ctx: RequestContext, next: Next, perTry: number, total: TotalTimer, buffer: boolean): Promise<TryOutcome> {
  const signal = new EventEmitter();
  ctx.upstreamSignal = signal;
  total.current = signal;
  const onClientGone = (): void => void signal.emit('abort');
  ctx.clientGone?.once('abort', onClientGone);
  let timedOut = false;
  // The last try may be cut by the total deadline rather than its own: then it is the total that expired.
  const left = Math.max(0, total.remaining());
  const timer = setTimeout(() => {
    if (left < perTry) total.expired = true;
    else timedOut = true;
    signal.emit('abort');
  }, Math.min(perTry, left));
  try {
    let result = await next(ctx);
    if (buffer) result = await bufferResult(result);
    return { result };
  } catch (error) {
    return { error, timedOut };
  } finally {
    clearTimeout(timer);
    ctx.clientGone?.off('abort', onClientGone);
    total.current = undefined;
  }
}

function settle(outcome: TryOutcome, backend: string, perTry: number): UpstreamResult {
  if ('result' in outcome) return outcome.result;
  if (outcome.timedOut) throw upstreamTimeout(backend, new Error(`per-try timeout of ${perTry} ms`));
  throw outcome.error;
}

/** The request body can be sent again: it was buffered, or there is none. */
function replayable(ctx: RequestContext): boolean {
  return ctx.body !== undefined || !hasBody(ctx.req);
}

/** A result streamed straight to the client is never retried: its status already went out. */
function written(outcome: TryOutcome): boolean {
  return 'result' in outcome && outcome.result.body === WRITTEN;
}
