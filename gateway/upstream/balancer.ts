import type { UpstreamEndpoint } from './endpoint.js';

/**
 * Least outstanding requests by the power of two choices: two distinct endpoints drawn at
 * random (random injected), the one with fewer requests in flight wins. Endpoints a probe
 * found unhealthy and endpoints outlier detection ejected (until `now`, epoch ms) are
 * skipped, and so is `avoid` (the origin a retried try failed on) when another is left;
 * undefined when none is left.
 */
export function pickEndpoint(
  endpoints: readonly UpstreamEndpoint[], random: () => number, now: number = Date.now(), avoid?: string,
): UpstreamEndpoint | undefined {
  let candidates = endpoints;
  for (const e of endpoints) {
    if (e.healthy === false || e.outlier.ejectedUntil > now || e.origin === avoid) {
      // Rare path: allocate only when some endpoint is down or passed over.
      candidates = endpoints.filter((c) => c.healthy !== false && c.outlier.ejectedUntil <= now);
      if (avoid !== undefined && candidates.length > 1) candidates = candidates.filter((c) => c.origin !== avoid);
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
