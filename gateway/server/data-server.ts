import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { SwitchyardError } from '../../protocol/errors.js';
import { bodyTooLarge } from '../../protocol/http-body.js';
import { closeLingering, declaredLength } from '../../protocol/lingering-close.js';
import type { Logger } from '../../observability/logger.js';
import type { LimitsConfig } from '../config/schema.js';
import { GatewayErrorCode, routeNotFound } from '../errors.js';
import type { RequestRecorder } from '../metrics.js';
import { RequestContext } from '../pipeline/context.js';
import { sendError } from '../respond.js';
import type { GatewayRuntime } from '../runtime.js';
import { findRoute } from '../routing/match.js';
import type { Verdict } from '../upstream/classify.js';
import { classifyError, classifyStatus } from '../upstream/classify.js';
import type { UpstreamTlsOptions } from '../upstream/endpoint.js';
import { proxyUpgrade } from '../upstream/websocket.js';
import { answerHealth, HEALTH_PATHS } from './health-endpoints.js';
import { answerInferenceServer, INFERENCE_SERVER_PATHS } from './inference-server-endpoints.js';
import { writeHead, writeResult } from './write-result.js';

/** Idle keep-alive connections are closed after this, ms: above the usual 60 s of load balancers. */
export const CLIENT_KEEP_ALIVE_MS = 65_000;
/** Longest client x-request-id kept; longer or odd ones are replaced by a fresh UUID. */
const MAX_REQUEST_ID_LENGTH = 200;
const REQUEST_ID_PATTERN = /^[\x21-\x7e]+$/;

export interface DataServerDeps {
  readonly runtime: GatewayRuntime;
  readonly log: Logger;
  readonly random: () => number;
  readonly upstreamTls: UpstreamTlsOptions;
  readonly noRoute: RequestRecorder;
  readonly onConnectError: (backend: string) => void;
  /** Slow-client limits (limits.clientHeaderTimeout, clientBodyTimeout, maxClientConnections); absent: Node's defaults. */
  readonly limits?: Pick<LimitsConfig, 'clientHeaderTimeout' | 'clientBodyTimeout' | 'maxClientConnections'>;
  /** PEM cert and key: the listener serves HTTPS. */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
}

/**
 * The public listener: health endpoints, then route match → the route's chain → the result
 * written out; WebSocket upgrades are piped. Counts requests in flight so a drain can wait.
 */
export class DataServer {
  readonly server: Server | HttpsServer;
  readonly scheme: 'http' | 'https';
  private inFlight = 0;
  private idle: (() => void) | undefined;

  constructor(private readonly deps: DataServerDeps) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.scheme = deps.tls === undefined ? 'http' : 'https';
    const options = { keepAliveTimeout: CLIENT_KEEP_ALIVE_MS, ...slowClientOptions(deps.limits) };
    this.server = deps.tls === undefined
      ? createHttpServer(options, handler)
      : createHttpsServer({ ...options, cert: deps.tls.cert, key: deps.tls.key }, handler);
    if (deps.limits !== undefined) this.server.maxConnections = deps.limits.maxClientConnections;
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.checkContinue(req, res));
  }

  get inFlightRequests(): number {
    return this.inFlight;
  }

  /** A reloaded certificate applies to new TLS handshakes; open connections keep theirs. */
  setTls(tls: { readonly cert: Buffer; readonly key: Buffer }): void {
    if ('setSecureContext' in this.server) this.server.setSecureContext({ cert: tls.cert, key: tls.key });
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.idle;
      this.idle = () => {
        previous?.();
        resolve();
      };
    });
  }

  /**
   * `Expect: 100-continue`: on a model route (which buffers bodies up to limits.maxBodyBytes) a
   * body declared over the limit is refused with 413 at once, and the client is never told to
   * send it. Anything else is told to go on and handled as usual; plain routes stream.
   */
  private checkContinue(req: IncomingMessage, res: ServerResponse): void {
    const declared = declaredLength(req);
    const limit = this.deps.runtime.current.config.limits.maxBodyBytes;
    const path = (req.url ?? '/').split('?')[0]!;
    const route = declared !== undefined && declared > limit ? findRoute(this.deps.runtime.current.routes, path, req.headers) : undefined;
    if (route !== undefined && !route.plain) {
      res.setHeader('x-request-id', requestIdOf(req));
      closeLingering(res);
      sendError(res, bodyTooLarge(limit, declared!));
      route.unassigned.record('rejected', 0);
      return;
    }
    res.writeContinue();
    void this.handle(req, res);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (HEALTH_PATHS.has(path)) return answerHealth(res, path, this.deps.runtime);
    if (INFERENCE_SERVER_PATHS.has(path)) return answerInferenceServer(res, req.method ?? 'GET', path, this.deps.runtime);
    const requestId = requestIdOf(req);
    // While draining, answer with Connection: close so busy keep-alive connections end too.
    if (this.deps.runtime.draining) res.shouldKeepAlive = false;
    this.inFlight++;
    let recorder = this.deps.noRoute;
    let verdict: Verdict = 'rejected';
    try {
      const route = findRoute(this.deps.runtime.current.routes, path, req.headers);
      if (route === undefined) {
        res.setHeader('x-request-id', requestId);
        sendError(res, routeNotFound(req.method ?? 'GET', path));
        return;
      }
      const ctx = new RequestContext(req, route, requestId, path, q < 0 ? '' : url.slice(q), this.scheme, startedAt);
      ctx.sink = (status, headers) => {
        writeHead(res, ctx, status, headers);
        return res;
      };
      ctx.clientGone = abortWhenClientLeaves(res);
      try {
        const result = await route.handler(ctx);
        verdict = classifyStatus(result.status);
        await writeResult(res, ctx, result);
      } catch (err) {
        verdict = this.fail(req, res, err, requestId);
      }
      recorder = (ctx.assignment === undefined ? undefined : route.recorders.get(ctx.assignment)) ?? route.unassigned;
    } finally {
      recorder.record(verdict, (performance.now() - startedAt) / 1000);
      if (--this.inFlight === 0 && this.idle !== undefined) {
        const idle = this.idle;
        this.idle = undefined;
        idle();
      }
    }
  }

  /** An error from the chain, or a stream that broke after the status went out. */
  private fail(req: IncomingMessage, res: ServerResponse, err: unknown, requestId: string): Verdict {
    if (isClientGone(req, res)) {
      res.destroy();
      return 'cancelled';
    }
    if (res.headersSent) {
      // The upstream broke off its answer after the status went out.
      res.destroy();
      return 'failure';
    }
    // The body was not read: close lingeringly, so a client still uploading reads the 413.
    if (err instanceof SwitchyardError && err.code === GatewayErrorCode.BODY_TOO_LARGE) closeLingering(res);
    if (!(err instanceof SwitchyardError)) this.deps.log.error({ err, requestId }, 'request failed');
    res.setHeader('x-request-id', requestId);
    sendError(res, err);
    return classifyError(err);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    proxyUpgrade(this.deps.runtime.current, req, socket, head, {
      random: this.deps.random, tls: this.deps.upstreamTls, scheme: this.scheme, requestId: requestIdOf(req), onConnectError: this.deps.onConnectError,
    });
  }
}

/**
 * A slowloris client trickling its headers or body gets 408 and its connection closed once
 * the header or whole-request time is up. Node checks these every connectionsCheckingInterval
 * (30 s by default), so it is set to a quarter of the header timeout, 100 ms to 1 s.
 */
export function slowClientOptions(limits: DataServerDeps['limits']): { headersTimeout?: number; requestTimeout?: number; connectionsCheckingInterval?: number } {
  if (limits === undefined) return {};
  return {
    headersTimeout: limits.clientHeaderTimeout,
    requestTimeout: Math.max(limits.clientBodyTimeout, limits.clientHeaderTimeout),
    connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(limits.clientHeaderTimeout / 4))),
  };
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && given.length <= MAX_REQUEST_ID_LENGTH && REQUEST_ID_PATTERN.test(given)) return given;
  return randomUUID();
}

/**
 * The response itself, made to emit 'abort' if it closes unfinished (the client went away), as
 * the signal of the upstream request: a request nobody waits for would otherwise hold an
 * endpoint's outstanding count, the drain and a worker's batch queue. An EventEmitter rather
 * than an AbortController per request: that costs measurably at 10k requests/s.
 */
function abortWhenClientLeaves(res: ServerResponse): ServerResponse {
  res.once('close', () => {
    if (!res.writableFinished) res.emit('abort');
  });
  return res;
}

/**
 * The client left: its upload was cut off, or its connection closed before the answer was
 * finished without anyone on our side failing the response (`errored` records a response
 * destroyed with an error). An upstream that breaks off leaves the client's socket open, so
 * that case is a failure, not a departure.
 */
function isClientGone(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.destroyed && !req.complete) return true;
  const socketGone = res.socket === null || res.socket.destroyed;
  return socketGone && !res.writableFinished && res.errored == null;
}
