import type { ConfigFinding } from '../errors.js';
import type { GatewayConfig } from '../schema.js';
import { checkBackends } from './backends.js';
import type { Check, CheckContext } from './context.js';
import { checkExperiments } from './experiments.js';
import { checkGrpcEndpoints } from './grpc-endpoints.js';
import { checkAdminExposure, checkPorts, checkTlsFiles } from './listeners.js';
import { checkNotifications } from '../../notifications/checks.js';
import { checkModelRepositories } from './models.js';
import { checkSmallShares } from './ratios.js';
import { checkResilience } from './resilience.js';
import { checkRollouts } from './rollouts.js';
import { checkRouteNames, checkShadowedRoutes } from './routes.js';
import { checkTargets } from './targets.js';
import { checkShadows } from './shadow.js';

export type { Check, CheckContext, DirEntry } from './context.js';

/** The second layer, run on a schema-valid config. A new feature adds its check here. */
export const CHECKS: readonly Check[] = [
  checkPorts, checkTlsFiles, checkAdminExposure, checkBackends, checkRouteNames, checkTargets, checkRollouts, checkExperiments,
  checkShadowedRoutes, checkGrpcEndpoints, checkResilience, checkShadows, checkModelRepositories, checkNotifications, checkSmallShares,
];

export function runChecks(config: GatewayConfig, context: CheckContext): ConfigFinding[] {
  return CHECKS.flatMap((check) => check(config, context));
}
