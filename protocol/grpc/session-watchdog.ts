import { constants, type ServerHttp2Session } from 'node:http2';

/** How often the watchdog looks at every session, ms. A dead session is closed within two of these after its last bytes. */
export const SESSION_SWEEP_MS = 1_000;
/** A client's PINGs closer together than this while it has no call open are strikes, ms (gRPC core's default is 5 min). */
export const MIN_CLIENT_PING_INTERVAL_MS = 10_000;
/** Strikes a client may collect before it gets GOAWAY ENHANCE_YOUR_CALM (gRPC core's max_ping_strikes). */
export const MAX_PING_STRIKES = 2;

/** Why the watchdog closed a session: the metric label and the log's reason. */
export type SessionCloseReason = 'protocol_error' | 'too_many_pings';

/** The session's state as the watchdog reads it at a sweep. */
export interface SessionProbe {
  /** The probe PING came back. */
  readonly acked: boolean;
  /** Frames nghttp2 holds for sending (session.state.outboundQueueSize). */
  readonly outboundQueue: number;
  /** Bytes handed to the socket and not yet written (libuv's write queue). */
  readonly socketQueue: number;
}

/**
 * Whether a probed session is one nghttp2 has already ended. On a connection error (a bad frame,
 * a broken HPACK block) nghttp2 sends GOAWAY and then wants neither to read nor to write; Node
 * stops reading the socket and emits nothing, so the session and its descriptor would live on
 * (in CLOSE-WAIT once the client hangs up). Such a session never sends the PING it was given: it
 * stays in nghttp2's queue while the socket has nothing left to write. A live session sends it at
 * the next turn of the event loop, or is still writing (a slow reader), which is not this.
 */
export function sessionIsDead(probe: SessionProbe): boolean {
  return !probe.acked && probe.outboundQueue > 0 && probe.socketQueue === 0;
}

interface Watched {
  /** socket.bytesRead at the last sweep. */
  bytesRead: number;
  /** Bytes arrived since the last probe: probe once a sweep goes by without more. */
  unprobed: boolean;
  /** The probe PING in flight, if any. */
  probe: { acked: boolean } | undefined;
  openStreams: number;
  lastClientPingAt: number;
  pingStrikes: number;
}

export interface SessionWatchdogOptions {
  /** Called once for each session the watchdog closes. */
  readonly onClose: (reason: SessionCloseReason, session: ServerHttp2Session) => void;
  readonly sweepMs?: number;
  readonly now?: () => number;
}

/**
 * Closes the gRPC sessions a listener would otherwise keep forever:
 *
 * 1. Every sweep, a session whose socket read bytes since the last sweep is marked unprobed
 *    (only incoming bytes can make nghttp2 end a session).
 * 2. At the first sweep with no new bytes, an unprobed session gets one PING (superseding an
 *    unanswered one sent before those bytes).
 * 3. At the next sweep, if that PING neither came back nor left nghttp2's queue while the socket
 *    is idle (sessionIsDead), the session is destroyed and its descriptor released.
 *
 * A busy session is never probed (it is reading, so nghttp2 still wants it), and an idle one is
 * probed once, not on a period: the cost is one PING per burst of traffic. A client that is
 * merely gone (no FIN, no answer) is grpc-js's keepalive's to close, not this.
 *
 * It also enforces the client side of keepalive: PINGs closer than MIN_CLIENT_PING_INTERVAL_MS
 * while no call is open are strikes; past MAX_PING_STRIKES the session gets GOAWAY
 * ENHANCE_YOUR_CALM ("too_many_pings", as gRPC core sends) and is closed.
 */
export class SessionWatchdog {
  private readonly sessions = new Map<ServerHttp2Session, Watched>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: SessionWatchdogOptions) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), options.sweepMs ?? SESSION_SWEEP_MS).unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  watch(session: ServerHttp2Session): void {
    const watched: Watched = { bytesRead: 0, unprobed: true, probe: undefined, openStreams: 0, lastClientPingAt: -Infinity, pingStrikes: 0 };
    this.sessions.set(session, watched);
    session.once('close', () => this.sessions.delete(session));
    session.on('stream', (stream) => {
      watched.openStreams++;
      watched.pingStrikes = 0;
      stream.once('close', () => watched.openStreams--);
    });
    session.on('ping', () => this.clientPinged(session, watched));
  }

  stop(): void {
    clearInterval(this.timer);
    this.sessions.clear();
  }

  /** One pass over every session (exported for tests through the timer; see the class comment). */
  sweep(): void {
    for (const [session, watched] of this.sessions) {
      if (session.destroyed) {
        this.sessions.delete(session);
        continue;
      }
      const socket = session.socket;
      if (watched.probe !== undefined && !watched.probe.acked) {
        const probe = { acked: false, outboundQueue: session.state.outboundQueueSize ?? 0, socketQueue: socketQueueOf(socket) };
        if (sessionIsDead(probe)) {
          this.close(session, 'protocol_error');
          continue;
        }
      }
      const bytesRead = socket.bytesRead;
      if (bytesRead !== watched.bytesRead) {
        watched.bytesRead = bytesRead;
        watched.unprobed = true;
      } else if (watched.unprobed) {
        // A probe still unanswered was sent before these bytes came: this one supersedes it.
        watched.unprobed = false;
        watched.probe = sendProbe(session);
      }
    }
  }

  private clientPinged(session: ServerHttp2Session, watched: Watched): void {
    const at = this.now();
    if (watched.openStreams === 0 && at - watched.lastClientPingAt < MIN_CLIENT_PING_INTERVAL_MS) watched.pingStrikes++;
    watched.lastClientPingAt = at;
    if (watched.pingStrikes <= MAX_PING_STRIKES) return;
    try {
      session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, Buffer.from('too_many_pings'));
    } catch {
      // Already closing: destroying it below is all that is left to do.
    }
    this.close(session, 'too_many_pings');
  }

  private close(session: ServerHttp2Session, reason: SessionCloseReason): void {
    this.sessions.delete(session);
    this.options.onClose(reason, session);
    session.destroy();
  }
}

/** Sends the probe PING; a session that refuses it (closing already) needs no probe. */
function sendProbe(session: ServerHttp2Session): { acked: boolean } | undefined {
  const probe = { acked: false };
  try {
    session.ping((err) => {
      if (err === null) probe.acked = true;
    });
  } catch {
    return undefined;
  }
  return probe;
}

/** Bytes waiting in libuv's write queue of the session's socket (TCP or TLS handle). */
function socketQueueOf(socket: ServerHttp2Session['socket']): number {
  const handle = (socket as unknown as { _handle?: { writeQueueSize?: number } | null })._handle;
  return handle?.writeQueueSize ?? 0;
}
