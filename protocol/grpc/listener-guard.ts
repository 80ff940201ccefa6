import type { Server as NetServer, Socket } from 'node:net';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { GrpcListenerMetrics } from './listener-metrics.js';
import { SessionWatchdog, type SessionCloseReason } from './session-watchdog.js';

/** At most one log line per event kind in this window, ms; the next line says how many were left out. */
export const LISTENER_LOG_INTERVAL_MS = 10_000;

export interface ListenerGuardOptions {
  /** Connections the listener holds at once; further ones are closed as soon as they are accepted. */
  readonly maxConnections: number;
  readonly metrics: GrpcListenerMetrics;
  readonly log: Logger;
  readonly sweepMs?: number;
}

/**
 * What guards a bound grpc-js Server's listeners: a connection limit (net.Server's
 * maxConnections, so a connection over it is closed at accept), a count of open connections,
 * accept errors (EMFILE) logged instead of thrown, session errors counted, and the
 * SessionWatchdog that closes sessions nghttp2 has ended. Call after bindAsync resolved.
 */
export class GrpcListenerGuard {
  private readonly watchdog: SessionWatchdog;
  private readonly logs = new RateLimitedLog(LISTENER_LOG_INTERVAL_MS);
  private connections = 0;

  constructor(server: Server, private readonly options: ListenerGuardOptions) {
    const { metrics } = options;
    this.watchdog = new SessionWatchdog({ sweepMs: options.sweepMs, onClose: (reason, session) => this.closedByWatchdog(reason, session) });
    metrics.trackConnections(() => this.connections);
    for (const listener of http2ServersOf(server)) this.guard(listener);
  }

  get openConnections(): number {
    return this.connections;
  }

  stop(): void {
    this.watchdog.stop();
  }

  private guard(listener: Http2Server): void {
    const { metrics, log } = this.options;
    listener.maxConnections = this.options.maxConnections;
    listener.on('connection', (socket: Socket) => {
      this.connections++;
      socket.once('close', () => this.connections--);
    });
    listener.on('drop', (data?: { remoteAddress?: string }) => {
      metrics.refused.inc();
      this.logs.warn(log, 'refused', { maxConnections: this.options.maxConnections, remoteAddress: data?.remoteAddress },
        'gRPC connection refused: the listener holds its maximum of connections');
    });
    // Without a listener an accept error (EMFILE: out of descriptors) would be thrown.
    listener.on('error', (err: NodeJS.ErrnoException) => {
      metrics.sessionErrors.labels('accept_error').inc();
      this.logs.error(log, `accept:${err.code ?? 'error'}`, { code: err.code }, 'gRPC listener cannot accept a connection');
    });
    listener.on('sessionError', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ECONNRESET' ? 'reset' : 'protocol_error';
      metrics.sessionErrors.labels(reason).inc();
      this.logs.warn(log, `session:${reason}`, { reason, code: err.code }, 'gRPC session ended with an error');
    });
    listener.on('session', (session: ServerHttp2Session) => this.watchdog.watch(session));
  }

  private closedByWatchdog(reason: SessionCloseReason, session: ServerHttp2Session): void {
    this.options.metrics.sessionErrors.labels(reason).inc();
    const remoteAddress = session.socket?.remoteAddress;
    this.logs.warn(this.options.log, `session:${reason}`, { reason, remoteAddress },
      reason === 'too_many_pings' ? 'gRPC session closed: the client pings too often' : 'gRPC session closed: the client broke the HTTP/2 protocol');
  }
}

/**
 * The http2 servers grpc-js listens with (one per bound address). grpc-js keeps them in a
 * private map; reading it is the one place this code relies on grpc-js internals, so a version
 * that changes it fails here, at start-up, and in the tests, not silently.
 */
export function http2ServersOf(server: Server): Http2Server[] {
  const map = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(map instanceof Map)) throw new Error('this @grpc/grpc-js version keeps no http2Servers map; the gRPC listener guard needs updating');
  const servers = [...map.keys()] as NetServer[];
  return servers.filter((s): s is Http2Server => typeof s.listening === 'boolean' && s.listening);
}

/** One line per key per interval; the first line after a quiet spell counts what was dropped. */
class RateLimitedLog {
  private readonly last = new Map<string, { at: number; dropped: number }>();

  constructor(private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  warn(log: Logger, key: string, fields: object, message: string): void {
    const dropped = this.admit(key);
    if (dropped !== undefined) log.warn({ ...fields, suppressed: dropped }, message);
  }

  error(log: Logger, key: string, fields: object, message: string): void {
    const dropped = this.admit(key);
    if (dropped !== undefined) log.error({ ...fields, suppressed: dropped }, message);
  }

  /** undefined: drop this line; a number: log it, with that many dropped since the last one. */
  private admit(key: string): number | undefined {
    const at = this.now();
    const entry = this.last.get(key);
    if (entry !== undefined && at - entry.at < this.intervalMs) {
      entry.dropped++;
      return undefined;
    }
    this.last.set(key, { at, dropped: 0 });
    return entry?.dropped ?? 0;
  }
}
