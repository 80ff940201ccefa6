/**
 * Every default the gateway config fills in, in one place so docs/config.md and the schema
 * cannot drift. Units are in the names or the comments.
 */

/** Public HTTP listener address. */
export const DEFAULT_HTTP_HOST = '0.0.0.0';
/** Public HTTP listener port (0 picks a free one). */
export const DEFAULT_HTTP_PORT = 8080;
/** Public gRPC listener address. */
export const DEFAULT_GRPC_HOST = '0.0.0.0';
/** Public gRPC listener port. */
export const DEFAULT_GRPC_PORT = 8081;
/** Admin API address: loopback, because the admin API can promote and abort rollouts. */
export const DEFAULT_ADMIN_HOST = '127.0.0.1';
/** Admin API port, Envoy's admin port. */
export const DEFAULT_ADMIN_PORT = 9901;

/** Largest request body a model route buffers, in bytes (4 MiB); larger bodies get 413. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Prefix of every Redis key the gateway writes, so one Redis can serve several stacks. */
export const DEFAULT_REDIS_KEY_PREFIX = 'switchyard:';

/** Worker processes per pool. */
export const DEFAULT_POOL_REPLICAS = 1;
/** Execution device of a pool's workers. */
export const DEFAULT_POOL_DEVICE = 'cpu';
/** What a worker does when its GPU provider cannot load: 'fallback' (run on CPU, say so) or 'fail' (exit with the reason). */
export const DEFAULT_POOL_ON_GPU_UNAVAILABLE = 'fallback';
/** Worker HTTP and gRPC ports: 0 lets each worker pick a free port and report it. */
export const DEFAULT_POOL_PORT = 0;

/** Time between canary steps, in milliseconds (30 s). */
export const DEFAULT_ROLLOUT_INTERVAL_MS = 30_000;
/** Canary analysis: largest error rate (a fraction, 0..1) a step may show and still advance. */
export const DEFAULT_ANALYSIS_MAX_ERROR_RATE = 0.01;
/** Canary analysis: requests the canary must serve in an interval before it is judged. */
export const DEFAULT_ANALYSIS_MIN_REQUESTS = 100;
/** Canary analysis: failed intervals in a row that roll the canary back. */
export const DEFAULT_ANALYSIS_FAILURE_LIMIT = 2;
/** Canary analysis mode: 'enforce' rolls back on failure; 'observe' only reports what it would do. */
export const DEFAULT_ANALYSIS_MODE = 'enforce';
/** Canary analysis: inconclusive intervals in a row (too few requests) after which the rollout pauses for a human. */
export const DEFAULT_ANALYSIS_MAX_INCONCLUSIVE = 5;
/** Golden data set file, under the canary model's directory in the pool's repository. */
export const DEFAULT_GOLDEN_FILE = 'golden.json';

/** The variant every other experiment variant is compared against. */
export const CONTROL_VARIANT = 'control';
/** experiment.alpha: two-sided significance level. */
export const DEFAULT_EXPERIMENT_ALPHA = 0.05;
/** experiment.power: chance of detecting the minimum detectable effect. */
export const DEFAULT_EXPERIMENT_POWER = 0.8;
/** experiment.minimumDetectableEffect: relative change on the primary metric, 0.05 = 5 %. */
export const DEFAULT_EXPERIMENT_MDE = 0.05;
/** experiment.historyInterval, ms: how often the cumulative results are recorded for the lift over time. */
export const DEFAULT_EXPERIMENT_HISTORY_INTERVAL_MS = 5 * 60_000;
/** Points of the lift over time kept per experiment (at 5 min, 14 days). */
export const EXPERIMENT_HISTORY_MAX_POINTS = 4032;

// ── Resilience (routes[].resilience) and fallbacks (routes[].fallback) ──

/** Upstream connect timeout, ms: a connection not open by then counts as a connection failure. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
/** One try (connect, send, answer headers and a buffered answer's body), ms. */
export const DEFAULT_PER_TRY_TIMEOUT_MS = 5_000;
/** The whole request across every try and backoff, ms: no request waits on the upstream longer. */
export const DEFAULT_TOTAL_TIMEOUT_MS = 15_000;
/** Retries after the first try (Istio's `attempts`); 0 turns retries off. */
export const DEFAULT_RETRY_ATTEMPTS = 2;
/** Upstream statuses retried, besides connection failures and timeouts. */
export const DEFAULT_RETRY_ON = [502, 503, 504] as const;
/** Retries in flight at most this percentage of the route's requests in flight (Envoy's retry budget). */
export const DEFAULT_RETRY_BUDGET_PERCENT = 20;
/** Retries in flight always allowed, whatever the percentage gives (Envoy's min_retry_concurrency). */
export const DEFAULT_RETRY_MIN_CONCURRENCY = 3;
/** First backoff before a retry, ms; each further retry doubles it, with full jitter, up to 10×. */
export const DEFAULT_RETRY_BACKOFF_MS = 25;
/** Breaker: failures (failure or timeout verdicts) in a row that open it. */
export const DEFAULT_BREAKER_CONSECUTIVE_FAILURES = 5;
/** Breaker: share of failures in the window (0..1) that opens it, once minRequests are seen. */
export const DEFAULT_BREAKER_FAILURE_RATE = 0.5;
/** Breaker: requests the window must hold before the failure rate is judged. */
export const DEFAULT_BREAKER_MIN_REQUESTS = 20;
/** Breaker: the rolling window the failure rate is computed over, ms. */
export const DEFAULT_BREAKER_WINDOW_MS = 10_000;
/** Breaker: how long it stays open the first time, ms; doubled on each reopening. */
export const DEFAULT_BREAKER_OPEN_FOR_MS = 5_000;
/** Breaker: the longest open time the doubling reaches, ms. */
export const DEFAULT_BREAKER_MAX_OPEN_FOR_MS = 60_000;
/** Breaker mode: 'enforce' fails fast while open; 'observe' only counts what it would have refused. */
export const DEFAULT_BREAKER_MODE = 'enforce';
/** Outlier detection: 5xx answers or connection failures in a row that eject an endpoint (Envoy's consecutive_5xx). */
export const DEFAULT_OUTLIER_CONSECUTIVE_5XX = 5;
/** Outlier detection: 502/503/504 or connection failures in a row that eject an endpoint (consecutive_gateway_failure). */
export const DEFAULT_OUTLIER_CONSECUTIVE_GATEWAY_FAILURE = 5;
/** Outlier detection: base ejection time, ms; the n-th ejection lasts n × this. */
export const DEFAULT_OUTLIER_BASE_EJECTION_MS = 30_000;
/** Outlier detection: the longest one ejection lasts, ms (Envoy's max_ejection_time). */
export const DEFAULT_OUTLIER_MAX_EJECTION_MS = 300_000;
/** Outlier detection: most endpoints of a backend ejected at once, percent (at least one may always be). */
export const DEFAULT_OUTLIER_MAX_EJECTION_PERCENT = 50;
/** Header that puts a request in a priority class. */
export const DEFAULT_PRIORITY_HEADER = 'x-switchyard-priority';
/** Class of requests without the header. */
export const DEFAULT_PRIORITY_CLASS = 'normal';
/**
 * Shedding by class: a request of the class is admitted while in-flight requests are under
 * this share of maxInFlight, so low is shed first, then normal, and high last.
 */
export const PRIORITY_ADMIT_SHARE = { high: 1, normal: 0.9, low: 0.75 } as const;
/** Retry-After sent with a shed request's 503, seconds. */
export const SHED_RETRY_AFTER_SECONDS = 1;
/** Fallback cache: how long a cached answer may be served, ms. */
export const DEFAULT_CACHE_TTL_MS = 600_000;
/** Fallback cache: answers kept per route. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;
/** Fallback cache: bytes of answers kept per route (64 MiB). */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** Fallback cache mode: 'onFailure' serves it only when the upstream fails; 'always' serves a fresh hit first. */
export const DEFAULT_CACHE_MODE = 'onFailure';
/** Static fallback answer status. */
export const DEFAULT_STATIC_FALLBACK_STATUS = 200;

// ── Slow or stalled clients (limits) ──

/** Time a client has to send the request line and headers, ms (Node's headersTimeout). */
export const DEFAULT_CLIENT_HEADER_TIMEOUT_MS = 10_000;
/** Time a client has to send the whole request, headers and body, ms (Node's requestTimeout). */
export const DEFAULT_CLIENT_BODY_TIMEOUT_MS = 30_000;
/** Client connections the data listener holds at once; past it new ones are closed at once. */
export const DEFAULT_MAX_CLIENT_CONNECTIONS = 10_000;
/** Client connections the gRPC listener holds at once (maxClientConnections' gRPC twin); past it new ones are closed at once. */
export const DEFAULT_MAX_GRPC_CONNECTIONS = 10_000;
