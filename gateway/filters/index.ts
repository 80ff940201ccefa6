import type { FilterFactory } from '../pipeline/filter.js';
import { bodyBufferFilter } from './body-buffer/filter.js';
import { exposureFilter } from './exposure/filter.js';
import { cacheFallbackFilter } from './cache-fallback/filter.js';
import { circuitBreakerFilter } from './circuit-breaker/filter.js';
import { loadSheddingFilter } from './load-shedding/filter.js';
import { outlierDetectionFilter } from './outlier-detection/filter.js';
import { priorityFilter } from './priority/filter.js';
import { retriesFilter } from './retries/filter.js';
import { rolloutMeasureFilter } from './rollout-measure/filter.js';
import { shadowFilter } from './shadow/filter.js';
import { targetFilter } from './target/filter.js';

/**
 * Every route's chain, outermost first; the upstream call is the terminal step after them.
 * A factory returns no filter for a route that does not use its feature, so an unused feature
 * costs nothing per request.
 *
 *   target → exposure (experiment units, counted once) → body-buffer (model routes) →
 *   shadow (copies sent after the final answer, which it compares) → priority → cache-fallback
 *   (answers when everything inside fails) → load-shedding (refuses before any work) →
 *   circuit-breaker (one verdict per request, after retries) → retries/timeouts →
 *   rollout-measure (each try's verdict, latency and prediction for canary analysis, so
 *   retries and fallbacks never hide a failing canary) → outlier-detection (per try and
 *   endpoint) → balancer and upstream.
 */
export const ROUTE_FILTERS: readonly FilterFactory[] = [
  targetFilter, exposureFilter, bodyBufferFilter, shadowFilter,
  priorityFilter, cacheFallbackFilter, loadSheddingFilter, circuitBreakerFilter, retriesFilter, rolloutMeasureFilter, outlierDetectionFilter,
];
