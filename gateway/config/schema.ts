import { z } from 'zod';
import { expected, nameSchema } from './schema/expect.js';
import { backendSchema } from './schema/backends.js';
import { limitsSchema, listenersSchema, storeSchema } from './schema/listeners.js';
import { poolSchema } from './schema/pools.js';
import { readinessSchema } from './schema/readiness.js';
import { routeSchema } from './schema/routes.js';
import { notificationsSchema } from '../notifications/schema.js';

/**
 * The gateway config: the one schema for shape and defaults. Cross-field and reference checks
 * (a route names a backend that exists) live in semantic/, run after this one passes.
 */
export const gatewayConfigSchema = z.strictObject({
  listeners: listenersSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  /** What /readyz checks besides this replica's own state (schema/readiness.ts). */
  readiness: readinessSchema.prefault({}),
  /** Shared runtime state; absent: in memory, which is right for a single replica. */
  store: storeSchema.optional(),
  pools: z.record(nameSchema(), poolSchema, { error: expected('a mapping of pool name to pool') }).default({}),
  backends: z.record(nameSchema(), backendSchema, { error: expected('a mapping of backend name to backend') }),
  /** Webhooks told about rollout events and experiment alarms (gateway/notifications/schema.ts); absent: none. */
  notifications: notificationsSchema.optional(),
  routes: z
    .array(routeSchema, { error: expected('a list of routes') })
    .min(1, { error: 'is empty; a gateway without routes answers every request with 404, so add at least one route' }),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
/** The config as written in YAML, before defaults and unit parsing. */
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

export type { BackendConfig } from './schema/backends.js';
export type { AnalysisConfig, BlueGreenRolloutConfig, CanaryRolloutConfig, GoldenConfig, RolloutConfig } from './schema/rollout.js';
export type { ExperimentConfig, ExperimentUnit, MetricConfig, VariantConfig } from './schema/experiment.js';
export type { LimitsConfig, ListenerConfig, ListenersConfig, StoreConfig, TlsConfig } from './schema/listeners.js';
export type { PoolConfig } from './schema/pools.js';
export type { NotificationsConfig, WebhookConfig } from '../notifications/schema.js';
export type { ReadinessConfig } from './schema/readiness.js';
export type { ShadowConfig } from './schema/shadow.js';
export type { MatchConfig, RouteConfig } from './schema/routes.js';
export { pathPrefixMatches, stickySeed } from './schema/routes.js';
export { startingWeight } from './schema/rollout.js';
export { parseByteSize, parseDuration } from './schema/units.js';
export type {
  CircuitBreakerConfig, OutlierDetectionConfig, PriorityClass, PriorityConfig, ResilienceConfig, RetriesConfig, TimeoutsConfig,
} from './schema/resilience.js';
export type { CacheFallbackConfig, FallbackConfig, StaticFallbackConfig } from './schema/fallback.js';
