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
