import { z } from 'zod';
import { expected } from './expect.js';

/** Off: /readyz depends on this replica alone (config loaded, listening, not draining). */
export const DEFAULT_REQUIRE_SERVABLE_ROUTE = false;

/** What the gateway's /readyz (and gRPC health) takes into account besides its own state: docs/operations.md. */
export const readinessSchema = z.strictObject({
  /**
   * true: also not ready when no route at all can serve (no route has a fallback, and no
   * backend that takes live traffic on any route has an endpoint whose last probe passed).
   */
  requireServableRoute: z.boolean({ error: expected('true or false') }).default(DEFAULT_REQUIRE_SERVABLE_ROUTE),
});

export type ReadinessConfig = z.infer<typeof readinessSchema>;
