import type { HealthTransition } from '../health/prober.js';
import type { UpstreamEndpoint } from './endpoint.js';

/** The reason an endpoint taken out of rotation shows (GET /admin/backends, the log), as a probe would say it. */
export const REFUSED_REASON = 'connect ECONNREFUSED';

/**
 * An endpoint refused a connection: nothing listens there any more (a worker draining after
 * SIGTERM closes its listener first, a crashed one has none). The balancer skips it from the
 * next request on, instead of choosing it again until two probes have failed; the health
 * prober brings it back with its first successful probe, as for any unhealthy endpoint.
 *
 * The backend's last endpoint in rotation stays in: with none left every request would be
 * refused by the gateway itself, and the breaker and the fallback would no longer see the
 * upstream fail.
 *
 * Returns the health transition (for the log line) when the endpoint left the rotation now;
 * undefined when it stayed in or was already out. `at`: epoch ms.
 */
export function takeOutOfRotation(endpoint: UpstreamEndpoint, backendEndpoints: readonly UpstreamEndpoint[], at: number): HealthTransition | undefined {
  if (endpoint.healthy === false) return undefined;
  if (!backendEndpoints.some((e) => e !== endpoint && e.healthy !== false)) return undefined;
  const from = endpoint.healthy === undefined ? 'unknown' : 'up';
  endpoint.healthy = false;
  endpoint.probeError = REFUSED_REASON;
  endpoint.healthSince = at;
  return { from, to: 'down', reason: REFUSED_REASON };
}
