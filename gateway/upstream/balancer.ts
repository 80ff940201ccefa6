import type { UpstreamEndpoint } from './endpoint.js';

/**
 * Least outstanding requests by the power of two choices: two distinct endpoints drawn at
 * random (random injected), the one with fewer requests in flight wins. Endpoints a probe
 * found unhealthy are skipped; undefined when none is left.
 */
export function pickEndpoint(endpoints: readonly UpstreamEndpoint[], random: () => number): UpstreamEndpoint | undefined {
  let candidates = endpoints;
  for (const e of endpoints) {
    if (e.healthy === false) {
      // Rare path: allocate only when some endpoint is down.
      candidates = endpoints.filter((c) => c.healthy !== false);
      break;
    }
  }
  const n = candidates.length;
  if (n <= 1) return candidates[0];
  const i = Math.floor(random() * n) % n;
  let j = Math.floor(random() * (n - 1)) % (n - 1);
  if (j >= i) j++;
  const a = candidates[i]!;
  const b = candidates[j]!;
  return b.inFlight < a.inFlight ? b : a;
}
