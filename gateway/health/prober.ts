import { connect } from 'node:net';
import type { UpstreamEndpoint } from '../upstream/endpoint.js';

/** Time between probe rounds, ms. */
export const DEFAULT_PROBE_INTERVAL_MS = 5_000;
/** A probe that takes longer than this failed, ms. */
export const DEFAULT_PROBE_TIMEOUT_MS = 1_000;
/** Failed probes in a row before an endpoint counts as unhealthy (one success heals it). */
export const DEFAULT_UNHEALTHY_THRESHOLD = 2;

export type Probe = (endpoint: UpstreamEndpoint, timeoutMs: number) => Promise<boolean>;

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
}

export type VersionProbe = (endpoint: UpstreamEndpoint, path: string, timeoutMs: number) => Promise<boolean>;
const NO_PATHS: ReadonlySet<string> = new Set();

/** Updates an endpoint with one probe result. A new endpoint's first result counts at once. */
export function recordProbe(endpoint: UpstreamEndpoint, ok: boolean, at: number, unhealthyThreshold: number): void {
  endpoint.checkedAt = at;
  if (ok) {
    endpoint.consecutiveFailures = 0;
    endpoint.healthy = true;
    return;
  }
  endpoint.consecutiveFailures++;
  if (endpoint.healthy === undefined || endpoint.consecutiveFailures >= unhealthyThreshold) endpoint.healthy = false;
}

/**
 * Probes every endpoint on an interval and caches the result on the endpoint, where the
 * balancer (skips unhealthy ones) and /readyz (needs one healthy endpoint per backend) read it.
 * Probes never run on the request path.
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
      const ok = await this.probe(endpoint, this.timeoutMs).catch(() => false);
      recordProbe(endpoint, ok, this.options.now(), this.threshold);
      // Model versions load and unload while the worker stays up: each pinned version is checked
      // on its own, and one answer counts at once (a version not ready answers 4xx at once, no flapping).
      if (ok) {
        await Promise.all([...(endpoint.versionProbePaths ?? NO_PATHS)].map(async (path) => {
          endpoint.versionReady.set(path, await this.versionProbe(endpoint, path, this.timeoutMs).catch(() => false));
        }));
      }
    })).then(() => {
      this.round = undefined;
    });
    return this.round;
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

async function httpPathAnswers200(endpoint: UpstreamEndpoint, path: string, timeoutMs: number): Promise<boolean> {
  const response = await endpoint.pool.request({
    method: 'GET', path, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body.dump();
  return response.statusCode === 200;
}

function tcpConnects(url: URL, timeoutMs: number): Promise<boolean> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
