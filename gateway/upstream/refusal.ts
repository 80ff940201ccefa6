import type { UpstreamEndpoint } from './endpoint.js';

/**
 * An endpoint refused a connection: nothing listens there any more (a worker draining after
 * SIGTERM closes its listener first, a crashed one has none). The balancer skips it from the
 * next request on, instead of choosing it again until two probes have failed; the health
 * prober brings it back with its first successful probe, as for any unhealthy endpoint.
 *
 * The backend's last endpoint in rotation stays in: with none left every request would be
 * refused by the gateway itself, and the breaker and the fallback would no longer see the
 * upstream fail.
 */
export function takeOutOfRotation(endpoint: UpstreamEndpoint, backendEndpoints: readonly UpstreamEndpoint[]): boolean {
  if (!backendEndpoints.some((e) => e !== endpoint && e.healthy !== false)) return false;
  endpoint.healthy = false;
  return true;
}
