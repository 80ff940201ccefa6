import type { FilterFactory } from '../pipeline/filter.js';
import { bodyBufferFilter } from './body-buffer/filter.js';
import { exposureFilter } from './exposure/filter.js';
import { cacheFallbackFilter } from './cache-fallback/filter.js';
import { circuitBreakerFilter } from './circuit-breaker/filter.js';
import { loadSheddingFilter } from './load-shedding/filter.js';
import { outlierDetectionFilter } from './outlier-detection/filter.js';
import { priorityFilter } from './priority/filter.js';
import { retriesFilter } from './retries/filter.js';
import { targetFilter } from './target/filter.js';

/**
 * Every route's chain, outermost first; the upstream call is the terminal step after them.
 * Later features slot in here (shadow after target, then cache-fallback, circuit-breaker,
 * retries/timeouts), each as one folder under filters/.
 *
 * Resilience, in DESIGN.md section 4's order: priority (classes the request) → cache-fallback
 * (answers when everything inside fails) → load-shedding (refuses before any work) →
 * circuit-breaker (one verdict per request, after retries) → retries/timeouts (per try) →
 * outlier-detection (per try and endpoint) → balancer and upstream.
 */
export const ROUTE_FILTERS: readonly FilterFactory[] = [
  targetFilter, exposureFilter, bodyBufferFilter,
  priorityFilter, cacheFallbackFilter, loadSheddingFilter, circuitBreakerFilter, retriesFilter, outlierDetectionFilter,
];
