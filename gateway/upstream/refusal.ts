import type { UpstreamEndpoint } from './endpoint.js';

/**
 * An endpoint refused a connection: nothing listens there any more (a worker draining after
 * SIGTERM closes its listener first, a crashed one has none). The balancer skips it from the
 * next request on, instead of choosing it again until two probes have failed; the health
 * prober brings it back with its first successful probe, as for any unhealthy endpoint.
 */
export function takeOutOfRotation(endpoint: UpstreamEndpoint): void {
  endpoint.healthy = false;
}
