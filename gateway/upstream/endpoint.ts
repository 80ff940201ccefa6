import { buildConnector, Pool } from 'undici';
import { H1Pool } from './h1/pool.js';

/** Upstream TLS trust, for https endpoints signed by a private CA (or self-signed in tests). */
export interface UpstreamTlsOptions {
  /** PEM CA certificate(s) to trust besides the system's. */
  readonly ca?: string | Buffer;
  /** false accepts any certificate: for development only. Default true. */
  readonly rejectUnauthorized?: boolean;
}

/** Connections kept per endpoint; beyond it requests queue in the pool. */
export const CONNECTIONS_PER_ENDPOINT = 256;
/** How long an idle upstream connection is kept, ms (the upstream's own Keep-Alive hint wins if shorter). */
export const UPSTREAM_KEEP_ALIVE_MS = 60_000;

/** Longest wait for an answer's head, then between reads of its body, ms (undici's default, for requests no route's timeouts cut sooner). */
export const UPSTREAM_RESPONSE_TIMEOUT_MS = 300_000;

/** Connect timeout of endpoints no route's resilience sets, ms (undici's own default). */
export const DEFAULT_ENDPOINT_CONNECT_TIMEOUT_MS = 10_000;

/** Outlier-detection state of an endpoint (see upstream/outlier.ts). */
export interface OutlierState {
  consecutive5xx: number;
  consecutiveGatewayFailure: number;
  /** Epoch ms until which the balancer skips the endpoint; 0: not ejected. */
  ejectedUntil: number;
  /** Times ejected (the ejection time multiplier). */
  ejections: number;
  /** While ejected, or ejected and not tried since: when it started and why (logs and GET /admin/backends). */
  ejection?: { readonly at: number; readonly reason: string } | undefined;
}

/**
 * One upstream origin and what the gateway knows about it. Kept across config reloads for as
 * long as some backend lists the origin, so keep-alive connections, the outstanding count the
 * balancer reads and the probed health all survive a reload.
 */
export class UpstreamEndpoint {
  /** Requests sent and not yet fully answered (the balancer's load signal). */
  inFlight = 0;
  /** Probe result: undefined until the first probe; the balancer only skips `false`. */
  healthy: boolean | undefined = undefined;
  /** Probes failed in a row. */
  consecutiveFailures = 0;
  /** Epoch ms of the last probe, from the injected clock. */
  checkedAt: number | undefined = undefined;
  /** Epoch ms when `healthy` last changed (GET /admin/backends says since when). */
  healthSince: number | undefined = undefined;
  /** Why the last probe failed ('connect ECONNREFUSED', 'HTTP 503'); undefined after a passing probe. */
  probeError: string | undefined = undefined;
  /** HTTP path answered 200 when ready (model-aware backends); undefined probes a TCP connect. */
  probePath: string | undefined = undefined;
  /** Readiness paths of the model versions backends pin on this endpoint (/v2/models/M/versions/V/ready), set at compile. */
  versionProbePaths = new Set<string>();
  /** Latest probe of each version path: false keeps version-pinned backends off this endpoint (see health/version-readiness). */
  readonly versionReady = new Map<string, boolean>();
  /**
   * Connect timeout, ms: the smallest `resilience.timeouts.connect` of the routes that use
   * the endpoint (reset at each compile), read at each new connection.
   */
  connectTimeoutMs = DEFAULT_ENDPOINT_CONNECT_TIMEOUT_MS;
  readonly outlier: OutlierState = { consecutive5xx: 0, consecutiveGatewayFailure: 0, ejectedUntil: 0, ejections: 0 };
  readonly url: URL;
  /** The request path's client: Switchyard's own HTTP/1.1 pool (see h1/pool.ts). */
  readonly h1: H1Pool;
  /** undici, for the health probes and golden-set checks, which need its timeouts and nothing fast. */
  readonly pool: Pool;
  /**
   * Host header for an https endpoint: its own host:port, the name its certificate is checked
   * against (the client's Host names the gateway, which the upstream may not serve).
   */
  readonly tlsHost: string | undefined;

  constructor(readonly origin: string, tls: UpstreamTlsOptions = {}) {
    this.url = new URL(origin);
    this.tlsHost = this.url.protocol === 'https:' ? this.url.host : undefined;
    const connectOptions = this.url.protocol === 'https:' ? { ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized ?? true } : {};
    // A connector per timeout value, rebuilt when a reload changes it (connections are few: keep-alive).
    let connector: buildConnector.connector | undefined;
    let builtFor = -1;
    this.pool = new Pool(origin, {
      connections: CONNECTIONS_PER_ENDPOINT,
      keepAliveTimeout: UPSTREAM_KEEP_ALIVE_MS,
      connect: (options, callback) => {
        if (connector === undefined || builtFor !== this.connectTimeoutMs) {
          builtFor = this.connectTimeoutMs;
          connector = buildConnector({ ...connectOptions, timeout: builtFor });
        }
        connector(options, callback);
      },
    });
    this.h1 = new H1Pool(this.url, {
      connections: CONNECTIONS_PER_ENDPOINT,
      keepAliveMs: UPSTREAM_KEEP_ALIVE_MS,
      connectTimeoutMs: () => this.connectTimeoutMs,
      responseTimeoutMs: UPSTREAM_RESPONSE_TIMEOUT_MS,
      tls,
    });
  }
}

/**
 * Endpoints by origin. A compile acquires what its config lists (reusing live ones); after a
 * config is swapped in, `retain` closes the pools of origins nothing lists any more. Closing
 * lets requests already in flight on them finish.
 */
export class EndpointRegistry {
  private readonly endpoints = new Map<string, UpstreamEndpoint>();

  constructor(private readonly tls: UpstreamTlsOptions = {}) {}

  acquire(url: string): UpstreamEndpoint {
    const origin = new URL(url).origin;
    let endpoint = this.endpoints.get(origin);
    if (endpoint === undefined) {
      endpoint = new UpstreamEndpoint(origin, this.tls);
      this.endpoints.set(origin, endpoint);
    }
    return endpoint;
  }

  retain(origins: ReadonlySet<string>): void {
    for (const [origin, endpoint] of this.endpoints) {
      if (origins.has(origin)) continue;
      this.endpoints.delete(origin);
      void endpoint.pool.close().catch(() => undefined);
      void endpoint.h1.close();
    }
  }

  all(): UpstreamEndpoint[] {
    return [...this.endpoints.values()];
  }

  async close(): Promise<void> {
    const pools = [...this.endpoints.values()].flatMap((e) => [e.pool.destroy().catch(() => undefined), e.h1.destroy()]);
    this.endpoints.clear();
    await Promise.all(pools);
  }
}
