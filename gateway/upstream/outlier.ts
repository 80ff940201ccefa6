import type { OutlierDetectionConfig } from '../config/schema.js';
import type { UpstreamEndpoint } from './endpoint.js';

/** What one try told about the endpoint that served it. */
export type EndpointOutcome = 'success' | '5xx' | 'gateway-failure' | 'ignored';

/** Classifies a try for outlier detection, as Envoy does without split local-origin errors: connect failures and timeouts count as gateway failures. */
export function endpointOutcome(status: number | undefined, errorCode: string | undefined): EndpointOutcome {
  if (status !== undefined) {
    if (status === 502 || status === 503 || status === 504) return 'gateway-failure';
    return status >= 500 ? '5xx' : 'success';
  }
  if (errorCode === 'UPSTREAM_UNAVAILABLE' || errorCode === 'UPSTREAM_TIMEOUT' || errorCode === 'UPSTREAM_ERROR') return 'gateway-failure';
  return 'ignored';
}

/** Why an endpoint was ejected, for logs and tests. */
export interface Ejection {
  readonly endpoint: string;
  readonly reason: 'consecutive5xx' | 'consecutiveGatewayFailure';
  readonly untilMs: number;
  readonly forMs: number;
}

/**
 * Outlier ejection with Envoy's semantics, on an injected clock:
 *
 * 1. Each try's outcome updates the endpoint's runs: a 5xx or a gateway failure (502, 503,
 *    504, connection failure, timeout) extends `consecutive5xx`; a gateway failure also
 *    extends `consecutiveGatewayFailure`; a success ends both.
 * 2. A run reaching its threshold ejects the endpoint for baseEjection × (times ejected),
 *    at most maxEjection, unless maxEjectionPercent of the backend's endpoints are already
 *    out (one endpoint may always be ejected, as in Envoy).
 * 3. The balancer skips an endpoint until its ejection ends; it then comes back by itself.
 *    Its first try after that reports the return (`onReturn`: nothing happens at the end
 *    time itself, and an endpoint no request reaches has not really returned).
 *    Having served a success baseEjection after coming back, its multiplier starts over.
 *
 * The state lives on the endpoint (one origin), so every backend that lists it sees it.
 */
export class OutlierDetector {
  constructor(
    private readonly config: OutlierDetectionConfig,
    private readonly endpoints: readonly UpstreamEndpoint[],
    private readonly onEject: (e: Ejection, ejectedNow: number) => void,
    private readonly onReturn: (endpoint: string, ejectedAt: number) => void = () => undefined,
  ) {}

  record(endpoint: UpstreamEndpoint, outcome: EndpointOutcome, now: number): void {
    const o = endpoint.outlier;
    if (o.ejection !== undefined && now >= o.ejectedUntil) {
      const { at } = o.ejection;
      o.ejection = undefined;
      this.onReturn(endpoint.origin, at);
    }
    if (outcome === 'ignored') return;
    if (outcome === 'success') {
      o.consecutive5xx = 0;
      o.consecutiveGatewayFailure = 0;
      if (o.ejections > 0 && now >= o.ejectedUntil + this.config.baseEjection) o.ejections = 0;
      return;
    }
    o.consecutive5xx++;
    if (outcome === 'gateway-failure') o.consecutiveGatewayFailure++;
    if (o.ejectedUntil > now) return;
    const reason = o.consecutive5xx >= this.config.consecutive5xx ? 'consecutive5xx'
      : o.consecutiveGatewayFailure >= this.config.consecutiveGatewayFailure ? 'consecutiveGatewayFailure' : undefined;
    if (reason === undefined) return;
    const ejected = this.endpoints.filter((e) => e.outlier.ejectedUntil > now).length;
    const max = Math.max(1, Math.floor((this.endpoints.length * this.config.maxEjectionPercent) / 100));
    if (this.config.maxEjectionPercent === 0 || ejected >= max) return;
    o.ejections++;
    const forMs = Math.min(this.config.maxEjection, this.config.baseEjection * o.ejections);
    o.ejectedUntil = now + forMs;
    o.ejection = { at: now, reason };
    o.consecutive5xx = 0;
    o.consecutiveGatewayFailure = 0;
    this.onEject({ endpoint: endpoint.origin, reason, untilMs: o.ejectedUntil, forMs }, ejected + 1);
  }
}
