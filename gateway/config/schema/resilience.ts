import { z } from 'zod';
import {
  DEFAULT_BREAKER_CONSECUTIVE_FAILURES, DEFAULT_BREAKER_FAILURE_RATE, DEFAULT_BREAKER_MAX_OPEN_FOR_MS, DEFAULT_BREAKER_MIN_REQUESTS,
  DEFAULT_BREAKER_MODE, DEFAULT_BREAKER_OPEN_FOR_MS, DEFAULT_BREAKER_WINDOW_MS, DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_OUTLIER_BASE_EJECTION_MS, DEFAULT_OUTLIER_CONSECUTIVE_5XX, DEFAULT_OUTLIER_CONSECUTIVE_GATEWAY_FAILURE,
  DEFAULT_OUTLIER_MAX_EJECTION_MS, DEFAULT_OUTLIER_MAX_EJECTION_PERCENT, DEFAULT_PER_TRY_TIMEOUT_MS, DEFAULT_PRIORITY_CLASS,
  DEFAULT_PRIORITY_HEADER, DEFAULT_RETRY_ATTEMPTS, DEFAULT_RETRY_BACKOFF_MS, DEFAULT_RETRY_BUDGET_PERCENT,
  DEFAULT_RETRY_MIN_CONCURRENCY, DEFAULT_RETRY_ON, DEFAULT_TOTAL_TIMEOUT_MS,
} from '../defaults.js';
import { expected } from './expect.js';
import { fraction, percentage } from './ratios.js';
import { durationMs } from './units.js';

function wholeNumber(what: string, min: number) {
  const message = expected(`a whole number of ${what}, ${min} or more`);
  return z.number({ error: message }).int({ error: message }).min(min, { error: message });
}

const percent = () => percentage({ refuseBelowOne: true });
const STATUS = expected('an HTTP status from 500 to 599');

/** How long the gateway waits, ms after parsing. */
export const timeoutsSchema = z.strictObject({
  /** Opening an upstream connection. */
  connect: durationMs().default(DEFAULT_CONNECT_TIMEOUT_MS),
  /** One try: connect, send, answer (a buffered answer's whole body). */
  perTry: durationMs().default(DEFAULT_PER_TRY_TIMEOUT_MS),
  /** Every try and backoff together. */
  total: durationMs().default(DEFAULT_TOTAL_TIMEOUT_MS),
});

export const retriesSchema = z.strictObject({
  /** Retries after the first try; 0: none. */
  attempts: wholeNumber('retries', 0).default(DEFAULT_RETRY_ATTEMPTS),
  /** Upstream statuses that are retried; connection failures and per-try timeouts always are. */
  retryOn: z.array(z.number({ error: STATUS }).int({ error: STATUS }).min(500, { error: STATUS }).max(599, { error: STATUS }), {
    error: expected('a list of statuses such as [502, 503, 504]'),
  }).default([...DEFAULT_RETRY_ON]),
  /** Retries in flight at most this percentage of the route's requests in flight. */
  budgetPercent: percent().default(DEFAULT_RETRY_BUDGET_PERCENT),
  /** Retries in flight always allowed, whatever budgetPercent gives. */
  minRetryConcurrency: wholeNumber('retries', 0).default(DEFAULT_RETRY_MIN_CONCURRENCY),
  /** First backoff, ms; doubled per retry, full jitter, capped at 10×. */
  backoff: durationMs().default(DEFAULT_RETRY_BACKOFF_MS),
  /**
   * May a request the upstream may already have acted on be sent again? Absent: yes for
   * model routes (inference has no side effects) and for GET, HEAD, OPTIONS, PUT and DELETE;
   * otherwise only requests that never reached the upstream (connection refused) are retried.
   */
  safe: z.boolean({ error: expected('true or false') }).optional(),
});

export const circuitBreakerSchema = z.strictObject({
  consecutiveFailures: wholeNumber('failures', 1).default(DEFAULT_BREAKER_CONSECUTIVE_FAILURES),
  /** Failure share in the window that opens the breaker, 0..1. */
  failureRate: fraction({ example: 0.5 }).default(DEFAULT_BREAKER_FAILURE_RATE),
  minRequests: wholeNumber('requests', 1).default(DEFAULT_BREAKER_MIN_REQUESTS),
  window: durationMs().default(DEFAULT_BREAKER_WINDOW_MS),
  openFor: durationMs().default(DEFAULT_BREAKER_OPEN_FOR_MS),
  maxOpenFor: durationMs().default(DEFAULT_BREAKER_MAX_OPEN_FOR_MS),
  mode: z.enum(['enforce', 'observe'], { error: expected("'enforce' or 'observe'") }).default(DEFAULT_BREAKER_MODE),
});

export const outlierDetectionSchema = z.strictObject({
  consecutive5xx: wholeNumber('answers', 1).default(DEFAULT_OUTLIER_CONSECUTIVE_5XX),
  consecutiveGatewayFailure: wholeNumber('answers', 1).default(DEFAULT_OUTLIER_CONSECUTIVE_GATEWAY_FAILURE),
  baseEjection: durationMs().default(DEFAULT_OUTLIER_BASE_EJECTION_MS),
  maxEjection: durationMs().default(DEFAULT_OUTLIER_MAX_EJECTION_MS),
  maxEjectionPercent: percent().default(DEFAULT_OUTLIER_MAX_EJECTION_PERCENT),
});

const CLASS = expected("'high', 'normal' or 'low'");
export const priorityClassSchema = z.enum(['high', 'normal', 'low'], { error: CLASS });

export const prioritySchema = z.strictObject({
  /** Request header naming the class; its value must be high, normal or low (anything else: the default). */
  header: z.string({ error: expected('a header name') }).min(1).transform((h) => h.toLowerCase()).default(DEFAULT_PRIORITY_HEADER),
  /** Class of requests without the header. */
  default: priorityClassSchema.default(DEFAULT_PRIORITY_CLASS),
  /**
   * Worker batcher priority level per class (1 is served first, as Triton's levels), sent as
   * the v2 request parameter `priority` on model routes; absent: the worker's default level.
   * The model's `dynamicBatching.priorityLevels` must be at least the largest level used.
   */
  workerLevels: z.strictObject({
    high: wholeNumber('levels', 1).optional(),
    normal: wholeNumber('levels', 1).optional(),
    low: wholeNumber('levels', 1).optional(),
  }).optional(),
});

/**
 * A route's resilience: each part is off unless its key is present (`{}` takes every default),
 * except timeouts, which always apply once `resilience` is present.
 */
export const resilienceSchema = z.strictObject({
  timeouts: timeoutsSchema.prefault({}),
  retries: retriesSchema.optional(),
  circuitBreaker: circuitBreakerSchema.optional(),
  outlierDetection: outlierDetectionSchema.optional(),
  /** Requests of this route in flight at once; past it, 503 with Retry-After (lowest priority first). */
  maxInFlight: wholeNumber('requests', 1).optional(),
  priority: prioritySchema.optional(),
});

export type ResilienceConfig = z.infer<typeof resilienceSchema>;
export type TimeoutsConfig = z.infer<typeof timeoutsSchema>;
export type RetriesConfig = z.infer<typeof retriesSchema>;
export type CircuitBreakerConfig = z.infer<typeof circuitBreakerSchema>;
export type OutlierDetectionConfig = z.infer<typeof outlierDetectionSchema>;
export type PriorityConfig = z.infer<typeof prioritySchema>;
export type PriorityClass = z.infer<typeof priorityClassSchema>;
