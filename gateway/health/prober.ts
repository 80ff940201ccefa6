import { connect } from 'node:net';
import type { UpstreamEndpoint } from '../upstream/endpoint.js';
import type { TransitionLog } from './transition-log.js';

/** Time between probe rounds, ms. */
export const DEFAULT_PROBE_INTERVAL_MS = 5_000;
/** A probe that takes longer than this failed, ms. */
export const DEFAULT_PROBE_TIMEOUT_MS = 1_000;
/** Failed probes in a row before an endpoint counts as unhealthy (one success heals it). */
export const DEFAULT_UNHEALTHY_THRESHOLD = 2;

/** Resolves true when the endpoint is up; false, or a rejection whose message is the reason ('HTTP 503'), when not. */
export type Probe = (endpoint: UpstreamEndpoint, timeoutMs: number) => Promise<boolean>;

/** An endpoint's probed state: unknown until its first probe. */
export type EndpointHealth = 'up' | 'down' | 'unknown';

/** A change of an endpoint's probed state, with the failed probe's reason when it went down. */
export interface HealthTransition {
  readonly from: EndpointHealth;
  readonly to: EndpointHealth;
  readonly reason: string | undefined;
}

export interface ProberOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly unhealthyThreshold?: number;
  /** Epoch ms; injected so tests are exact. */
  readonly now: () => number;
  /** Default: HTTP GET of the endpoint's probePath answering 200, else a TCP connect. */
  readonly probe?: Probe;
  /** Probes one model version's readiness path on an endpoint; default: HTTP GET answering 200. */
  readonly versionProbe?: VersionProbe;
  /** Where health transitions are logged (rate-limited); absent: not logged. */
  readonly events?: TransitionLog;
  /** Names of the backends that list an endpoint, for the log line. */
  readonly backendsOf?: (endpoint: UpstreamEndpoint) => readonly string[];
}

export type VersionProbe = (endpoint: UpstreamEndpoint, path: string, timeoutMs: number) => Promise<boolean>;
const NO_PATHS: ReadonlySet<string> = new Set();

/**
 * Updates an endpoint with one probe result (`error`: why it failed; undefined: it passed).
 * A new endpoint's first result counts at once. Returns the change of state, if any.
 */
export function recordProbe(endpoint: UpstreamEndpoint, error: string | undefined, at: number, unhealthyThreshold: number): HealthTransition | undefined {
  endpoint.checkedAt = at;
  endpoint.probeError = error;
  const before = endpoint.healthy;
  if (error === undefined) {
    endpoint.consecutiveFailures = 0;
    endpoint.healthy = true;
  } else {
    endpoint.consecutiveFailures++;
    if (endpoint.healthy === undefined || endpoint.consecutiveFailures >= unhealthyThreshold) endpoint.healthy = false;
  }
  if (endpoint.healthy === before) return undefined;
  endpoint.healthSince = at;
  return { from: healthOf(before), to: healthOf(endpoint.healthy), reason: error };
}

/**
 * The one log line of an endpoint's health transition, from a probe or from a refused connection
 * (upstream/refusal.ts): both write the same event under the same rate-limit key.
 */
export function logEndpointChange(events: TransitionLog, endpoint: UpstreamEndpoint, change: HealthTransition, backends: readonly string[] | undefined): void {
  if (change.from === 'unknown' && change.to === 'up') return;
  const fields = { event: 'endpoint_health', endpoint: endpoint.origin, backends, from: change.from, to: change.to };
  const key = `endpoint_health ${endpoint.origin}`;
  if (change.to === 'down') events.warn(key, { ...fields, reason: change.reason }, `endpoint down: ${change.reason ?? 'probe failed'}`);
  else events.info(key, fields, 'endpoint up');
}

function healthOf(healthy: boolean | undefined): EndpointHealth {
  return healthy === undefined ? 'unknown' : healthy ? 'up' : 'down';
}

/**
 * A failed probe's reason, short and the same for every endpoint that fails alike (log fields
 * stay low-cardinality): 'connect ECONNREFUSED', 'timeout after 1000 ms', 'HTTP 503'.
 */
export function probeFailureReason(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return 'probe failed';
  const code = (err as NodeJS.ErrnoException).code;
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `timeout after ${timeoutMs} ms`;
  }
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return err.message.startsWith('connect') || err.message.startsWith('getaddrinfo') ? `connect ${code}` : code;
  return err.message;
}

/**
 * Probes every endpoint on an interval and caches the result on the endpoint, where the
 * balancer (skips unhealthy ones), GET /admin/backends and the optional /readyz rule read it.
 * Each change of state is one log line (down with the probe's reason, up again). A first
 * probe that passes is no change worth a line: nothing was wrong. Probes never run on the
 * request path.
 */
export class HealthProber {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly threshold: number;
  private readonly probe: Probe;
  private readonly versionProbe: VersionProbe;

  constructor(private readonly endpoints: () => readonly UpstreamEndpoint[], private readonly options: ProberOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    this.threshold = options.unhealthyThreshold ?? DEFAULT_UNHEALTHY_THRESHOLD;
    this.probe = options.probe ?? defaultProbe;
    this.versionProbe = options.versionProbe ?? httpPathAnswers200;
  }

  /** One round over every endpoint; concurrent callers share the round in progress. */
  probeAll(): Promise<void> {
    this.round ??= Promise.all(this.endpoints().map(async (endpoint) => {
      const error = await this.probe(endpoint, this.timeoutMs).then(
        (ok) => (ok ? undefined : 'probe failed'),
        (err: unknown) => probeFailureReason(err, this.timeoutMs),
      );
      const change = recordProbe(endpoint, error, this.options.now(), this.threshold);
      if (change !== undefined) this.logChange(endpoint, change);
      // Model versions load and unload while the worker stays up: each pinned version is checked
      // on its own, and one answer counts at once (a version not ready answers 4xx at once, no flapping).
      if (error === undefined) {
        await Promise.all([...(endpoint.versionProbePaths ?? NO_PATHS)].map(async (path) => {
          const ready = await this.versionProbe(endpoint, path, this.timeoutMs).catch(() => false);
          const before = endpoint.versionReady.get(path);
          endpoint.versionReady.set(path, ready);
          // Like endpoints: a first result that is fine is no change worth a line.
          if (before !== ready && (before !== undefined || !ready)) this.logVersionChange(endpoint, path, ready);
        }));
      }
    })).then(() => {
      this.round = undefined;
    });
    return this.round;
  }

  private logChange(endpoint: UpstreamEndpoint, change: HealthTransition): void {
    if (this.options.events !== undefined) logEndpointChange(this.options.events, endpoint, change, this.options.backendsOf?.(endpoint));
  }

  private logVersionChange(endpoint: UpstreamEndpoint, path: string, ready: boolean): void {
    const fields = { event: 'version_health', endpoint: endpoint.origin, path, backends: this.options.backendsOf?.(endpoint), to: ready ? 'up' : 'down' };
    const key = `version_health ${endpoint.origin}${path}`;
    if (ready) this.options.events?.info(key, fields, 'model version ready on the endpoint again');
    else this.options.events?.warn(key, fields, 'model version not ready on the endpoint; version-pinned backends skip it');
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.probeAll().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

export async function defaultProbe(endpoint: UpstreamEndpoint, timeoutMs: number): Promise<boolean> {
  if (endpoint.probePath === undefined) return tcpConnects(endpoint.url, timeoutMs);
  return httpPathAnswers200(endpoint, endpoint.probePath, timeoutMs);
}

/** true on 200; any other status rejects with 'HTTP <status>' as the reason. */
async function httpPathAnswers200(endpoint: UpstreamEndpoint, path: string, timeoutMs: number): Promise<boolean> {
  const response = await endpoint.pool.request({
    method: 'GET', path, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body.dump();
  if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
  return true;
}

function tcpConnects(url: URL, timeoutMs: number): Promise<boolean> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { name: 'TimeoutError' }));
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
}
