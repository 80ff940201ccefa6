import type { StaticFallbackConfig } from '../../config/schema.js';
import { fallbackUnavailable } from '../../errors.js';
import type { RequestContext } from '../../pipeline/context.js';
import { WRITTEN, type FilterFactory, type UpstreamResult } from '../../pipeline/filter.js';
import { SwitchyardError } from '../../../protocol/errors.js';
import { bufferResult, discardResult } from '../../upstream/buffer-result.js';
import { wantsFallback } from '../../upstream/classify.js';
import { cacheKey } from './cache-key.js';

/** Says which fallback answered: `cache` or `static`. */
export const FALLBACK_HEADER = 'x-switchyard-fallback';
/** Set to `hit` on answers `mode: always` served from the cache without asking the upstream. */
export const CACHE_HEADER = 'x-switchyard-cache';

/**
 * Answers for an upstream that cannot: after the upstream failed, timed out, shed the request
 * or its breaker is open (any 5xx or gateway error of 500 and up), a fresh cached answer for
 * the same inputs (`x-switchyard-fallback: cache`), else the route's static answer
 * (`x-switchyard-fallback: static`), else 503 FALLBACK_UNAVAILABLE saying why. A 429 and
 * 4xx pass through untouched. Successful (200) inference answers of model backends are
 * stored; with `mode: always` a fresh one is served before the upstream is asked.
 * The first request a fallback answers, and the first the upstream answers after that, are
 * each one log line (ResilienceState.fallbackServed / upstreamServed).
 */
export const cacheFallbackFilter: FilterFactory = {
  name: 'cache-fallback',
  create(route, deps) {
    const config = route.fallback;
    if (config === undefined || (config.cache === undefined && config.static === undefined) || deps.resilience === undefined) return undefined;
    const { metrics } = deps.resilience;
    const cache = config.cache === undefined ? undefined : deps.resilience.cache(route.name, config.cache, deps.config);
    const always = config.cache?.mode === 'always';
    const staticAnswer = config.static === undefined ? undefined : staticResult(config.static);
    const served = { cache: metrics.fallbacks.labels(route.name, 'cache'), static: metrics.fallbacks.labels(route.name, 'static'), none: metrics.fallbacks.labels(route.name, 'none') };
    const hits = metrics.cacheHits.labels(route.name);
    const now = deps.now;
    const state = deps.resilience;

    return async function fallBack(ctx, next) {
      // Statuses must reach this filter before the client: no streaming straight to the client.
      ctx.sink = undefined;
      const key = cache !== undefined ? keyOf(ctx) : undefined;
      if (always && key !== undefined) {
        const hit = cache!.get(key, now());
        if (hit !== undefined) {
          hits.inc();
          return cachedResult(hit, now(), { [CACHE_HEADER]: 'hit' });
        }
      }
      let outcome: { result: UpstreamResult } | { error: unknown };
      try {
        let result = await next(ctx);
        if (!wantsFallback({ result })) {
          state.upstreamServed(route.name, now());
          if (key !== undefined && result.status === 200) {
            result = await bufferResult(result);
            const body = result.body as Uint8Array;
            const type = result.headers['content-type'];
            cache!.set(key, { body, contentType: Array.isArray(type) ? type[0] : type, storedAt: now() });
          }
          return result;
        }
        outcome = { result };
      } catch (error) {
        if (!wantsFallback({ error }) || ctx.clientLeft) throw error;
        outcome = { error };
      }
      if (key !== undefined) {
        const hit = cache!.get(key, now());
        if (hit !== undefined) {
          release(outcome);
          served.cache.inc();
          state.fallbackServed(route.name, 'cache', shortReason(outcome), now());
          return cachedResult(hit, now(), { [FALLBACK_HEADER]: 'cache' });
        }
      }
      if (staticAnswer !== undefined) {
        release(outcome);
        served.static.inc();
        state.fallbackServed(route.name, 'static', shortReason(outcome), now());
        return staticAnswer;
      }
      release(outcome);
      served.none.inc();
      state.fallbackServed(route.name, 'none', shortReason(outcome), now());
      throw fallbackUnavailable(route.name, why(outcome), retryAfter(outcome));
    };
  },
};

/** Only inference requests of model backends are cached: their body was buffered and answers depend on it alone. */
function keyOf(ctx: RequestContext): string | undefined {
  const model = ctx.assignment?.backend.model;
  if (model === undefined || ctx.body === undefined || ctx.method !== 'POST') return undefined;
  if (!ctx.path.endsWith('/infer') && !ctx.path.endsWith(':predict')) return undefined;
  return cacheKey(model, ctx.path, ctx.body);
}

function cachedResult(hit: { body: Uint8Array; contentType: string | undefined; storedAt: number }, now: number, extra: Record<string, string>): UpstreamResult {
  const headers: Record<string, string> = { ...extra, age: String(Math.max(0, Math.floor((now - hit.storedAt) / 1000))) };
  if (hit.contentType !== undefined) headers['content-type'] = hit.contentType;
  return { status: 200, headers, body: hit.body };
}

function staticResult(config: StaticFallbackConfig): UpstreamResult {
  const text = typeof config.body === 'string' ? config.body : config.body === undefined ? '' : JSON.stringify(config.body);
  const type = typeof config.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  return { status: config.status, headers: { 'content-type': type, ...config.headers, [FALLBACK_HEADER]: 'static' }, body: Buffer.from(text) };
}

function release(outcome: { result: UpstreamResult } | { error: unknown }): void {
  if ('result' in outcome && outcome.result.body !== WRITTEN) discardResult(outcome.result);
}

function why(outcome: { result: UpstreamResult } | { error: unknown }): string {
  if ('result' in outcome) return `the upstream answered ${outcome.result.status}`;
  const err = outcome.error;
  return err instanceof SwitchyardError ? `${err.code}: ${err.message.replace(/; retry.*$/i, '')}` : 'the upstream exchange failed';
}

/** Why the fallback answered, for the log: 'HTTP 503' or the error's code (few distinct values). */
function shortReason(outcome: { result: UpstreamResult } | { error: unknown }): string {
  if ('result' in outcome) return `HTTP ${outcome.result.status}`;
  return outcome.error instanceof SwitchyardError ? outcome.error.code : 'UPSTREAM_ERROR';
}

function retryAfter(outcome: { result: UpstreamResult } | { error: unknown }): number | undefined {
  return 'error' in outcome && outcome.error instanceof SwitchyardError ? outcome.error.retryAfterSeconds : 1;
}
