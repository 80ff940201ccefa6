import { z } from 'zod';
import {
  DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_CACHE_MODE, DEFAULT_CACHE_TTL_MS, DEFAULT_STATIC_FALLBACK_STATUS,
} from '../defaults.js';
import { expected } from './expect.js';
import { byteSize, durationMs } from './units.js';

const ENTRIES = expected('a whole number of entries, 1 or more');
const STATUS = expected('an HTTP status from 200 to 599');

/** Successful inference answers kept per route, keyed by route, model and a canonical hash of the inputs. */
export const cacheFallbackSchema = z.strictObject({
  /** How long an answer may be served after it was cached, ms. */
  ttl: durationMs().default(DEFAULT_CACHE_TTL_MS),
  maxEntries: z.number({ error: ENTRIES }).int({ error: ENTRIES }).min(1, { error: ENTRIES }).default(DEFAULT_CACHE_MAX_ENTRIES),
  /** Bytes of answer bodies kept, bytes. */
  maxBytes: byteSize().default(DEFAULT_CACHE_MAX_BYTES),
  /** 'onFailure': served when the upstream fails; 'always': a fresh hit is served without asking the upstream. */
  mode: z.enum(['onFailure', 'always'], { error: expected("'onFailure' or 'always'") }).default(DEFAULT_CACHE_MODE),
});

/** A fixed answer for when neither the upstream nor the cache can answer. */
export const staticFallbackSchema = z.strictObject({
  status: z.number({ error: STATUS }).int({ error: STATUS }).min(200, { error: STATUS }).max(599, { error: STATUS }).default(DEFAULT_STATIC_FALLBACK_STATUS),
  /** A string is sent as is (text/plain unless headers say otherwise); anything else as JSON. */
  body: z.unknown(),
  headers: z.record(z.string(), z.string({ error: expected('a header value string') }), { error: expected('a mapping of header name to value') })
    .transform((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v])))
    .default({}),
});

/** What a route answers when its upstream cannot: a cached answer, else the static one, else a 503 saying why. */
export const fallbackSchema = z.strictObject({
  cache: cacheFallbackSchema.optional(),
  static: staticFallbackSchema.optional(),
});

export type FallbackConfig = z.infer<typeof fallbackSchema>;
export type CacheFallbackConfig = z.infer<typeof cacheFallbackSchema>;
export type StaticFallbackConfig = z.infer<typeof staticFallbackSchema>;
