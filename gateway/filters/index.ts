import type { FilterFactory } from '../pipeline/filter.js';
import { bodyBufferFilter } from './body-buffer/filter.js';
import { rolloutMeasureFilter } from './rollout-measure/filter.js';
import { shadowFilter } from './shadow/filter.js';
import { targetFilter } from './target/filter.js';

/**
 * Every route's chain, outermost first; the upstream call is the terminal step after them.
 * Later features slot in here (shadow after target, then cache-fallback, circuit-breaker,
 * retries/timeouts), each as one folder under filters/.
 */
export const ROUTE_FILTERS: readonly FilterFactory[] = [targetFilter, bodyBufferFilter, shadowFilter, rolloutMeasureFilter];
