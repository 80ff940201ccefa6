import { z } from 'zod';
import { expected } from './expect.js';
import { percentage } from './ratios.js';
import { byteSize, durationMs } from './units.js';

/** Time a shadow request may take before it is cut, ms (2 s). */
export const DEFAULT_SHADOW_TIMEOUT_MS = 2_000;
/** Shadow requests in flight at once per route; past it a copy is dropped and counted. */
export const DEFAULT_SHADOW_MAX_CONCURRENT = 32;
/** Largest request body copied to the shadow, bytes (1 MiB); larger requests are not shadowed. */
export const DEFAULT_SHADOW_MAX_BODY_BYTES = 1024 * 1024;

/**
 * A copy of a share of the route's requests, sent to another backend after the primary answered.
 * Its answer never reaches the client, the cache or experiment counters. Only requests whose body
 * the gateway buffered (model routes) or that have none are copied.
 */
export const shadowSchema = z.strictObject({
  backend: z.string({ error: expected('the name of a backend') }),
  /** Share of requests copied, percent. Default 100. */
  percent: percentage().default(100),
  /** 'outputs': compare v2 inference answers with the primary's; 'none': only send and count. Default outputs. */
  compare: z.enum(['outputs', 'none'], { error: expected("'outputs' or 'none'") }).default('outputs'),
  /** Longest wait for the shadow's answer, a duration (default 2s). */
  timeout: durationMs().default(DEFAULT_SHADOW_TIMEOUT_MS),
  /** Shadow requests in flight at once on this route (default 32). */
  maxConcurrent: z.number({ error: expected('a whole number, 1 or more') }).int().min(1, { error: expected('a whole number, 1 or more') }).default(DEFAULT_SHADOW_MAX_CONCURRENT),
  /** Largest request body copied, bytes or with a unit (default 1MiB). */
  maxBodyBytes: byteSize().default(DEFAULT_SHADOW_MAX_BODY_BYTES),
});

export type ShadowConfig = z.infer<typeof shadowSchema>;
