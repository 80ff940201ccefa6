import { z } from 'zod';
import { expected } from './expect.js';
import { grpcEndpointsSchema } from './listeners.js';

const ENDPOINT = "an http:// or https:// URL such as 'http://10.0.0.5:9000'";

/**
 * Where a route's traffic goes. Model-aware backends (a `pool`, or `endpoints` with a `model`)
 * have the v2 path rewritten to their model and version; endpoints without a model are a plain
 * reverse proxy. "Exactly one of pool | endpoints" is a semantic check, so both errors and the
 * others in the file are reported together.
 */
export const backendSchema = z.strictObject({
  pool: z.string({ error: expected('the name of a pool') }).optional(),
  endpoints: z.array(z.string({ error: expected(ENDPOINT) }), { error: expected(`a list of URLs, each ${ENDPOINT}`) }).optional(),
  /** gRPC addresses (host:port) of the same endpoints, in the order of `endpoints` (model-aware backends only). */
  grpcEndpoints: grpcEndpointsSchema.optional(),
  model: z.string({ error: expected('a model name from the repository') }).min(1, { error: expected('a model name from the repository') }).optional(),
  /** A version directory name; YAML numbers (version: 2) are accepted and kept as text. */
  version: z
    .union([z.string(), z.number().int().nonnegative()], { error: expected("a version such as \"2\"") })
    .transform(String)
    .refine((v) => /^\d+$/.test(v), { error: expected('a version number such as "2"') })
    .optional(),
  /** Requests to this backend in flight at once, over every route; past it, 503 with Retry-After. Absent: no limit. */
  maxInFlight: z.number({ error: expected('a whole number of requests, 1 or more') }).int({ error: expected('a whole number of requests, 1 or more') })
    .min(1, { error: expected('a whole number of requests, 1 or more') }).optional(),
});

export type BackendConfig = z.infer<typeof backendSchema>;
