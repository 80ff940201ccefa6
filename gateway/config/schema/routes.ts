import { z } from 'zod';
import { expected, nameSchema } from './expect.js';
import { experimentSchema } from './experiment.js';
import { rolloutSchema } from './rollout.js';
import { fallbackSchema } from './fallback.js';
import { resilienceSchema } from './resilience.js';
import { shadowSchema } from './shadow.js';

const PATH_PREFIX = "a path starting with '/', such as '/v2/models/fraud'";

/**
 * Which requests a route takes. `pathPrefix` matches whole path segments: '/v2/models/fraud'
 * takes '/v2/models/fraud' and '/v2/models/fraud/infer' but not '/v2/models/fraudster'.
 * A trailing '/' is dropped. Header names are lower-cased; values match exactly.
 */
export const matchSchema = z.strictObject({
  pathPrefix: z
    .string({ error: expected(PATH_PREFIX) })
    .regex(/^\/[^\s?#]*$/, { error: expected(PATH_PREFIX) })
    .transform((p) => (p.length > 1 ? p.replace(/\/+$/, '') || '/' : p)),
  /** Host header to match, without port; case-insensitive. */
  host: z.string({ error: expected("a host name such as 'api.example.com'") }).min(1).transform((h) => h.toLowerCase()).optional(),
  headers: z
    .record(z.string(), z.string({ error: expected('a header value string (quote numbers and booleans)') }), {
      error: expected('a mapping of header name to value'),
    })
    .transform((headers) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])))
    .optional(),
});

/**
 * One route. Exactly one of `backend`, `rollout`, `experiment` says where traffic goes (a
 * semantic check, so it is reported with the file's other mistakes). Each other feature has
 * its own per-route key and schema file (shadow, resilience, fallback).
 */
export const routeSchema = z.strictObject({
  name: nameSchema(),
  match: matchSchema,
  backend: z.string({ error: expected('the name of a backend') }).optional(),
  rollout: rolloutSchema.optional(),
  experiment: experimentSchema.optional(),
  /** Sticky-hash seed for a rollout's split; default: the route name. Experiments use experiment.seed. */
  seed: z.string({ error: expected('a seed string') }).min(1, { error: expected('a seed string') }).optional(),
  /** Timeouts, retries, breaker, outlier ejection, shedding, priority (docs/resilience.md). */
  resilience: resilienceSchema.optional(),
  /** Cached and static answers for when the upstream cannot answer. */
  fallback: fallbackSchema.optional(),
  /** Copies of a share of requests to another backend, compared with the primary (schema/shadow.ts). */
  shadow: shadowSchema.optional(),
});

export type MatchConfig = z.infer<typeof matchSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;

/** The seed a route's sticky assignment hashes with, in every replica and the outcomes API. */
export function stickySeed(route: RouteConfig): string {
  if (route.experiment) return route.experiment.seed ?? route.experiment.id;
  return route.seed ?? route.name;
}

/**
 * Segment-wise prefix match, the rule routing uses: '/a' takes '/a' and '/a/b', not '/ab'. A
 * custom verb after a colon ends a segment too (KServe v1, Google API style): '/v1/models/iris'
 * takes '/v1/models/iris:predict', not '/v1/models/iris2:predict'.
 */
export function pathPrefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  return next === SLASH || next === COLON;
}

const SLASH = 0x2f;
const COLON = 0x3a;
