import type { IncomingMessage } from 'node:http';
import type { ResponseHeaders } from '../pipeline/filter.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are never forwarded. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
]);

/** Headers the gateway sets itself on the way up (replacing or extending the client's). */
const SET_BY_GATEWAY: ReadonlySet<string> = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id', 'expect']);

/** Extra header names a Connection header lists: they are hop-by-hop for this message. */
export function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  // The usual values name only headers that are hop-by-hop anyway: no set to build per message.
  if (typeof value === 'string' && value.length <= 10) {
    const lower = value.toLowerCase();
    if (lower === 'keep-alive' || lower === 'close') return undefined;
  }
  const text = Array.isArray(value) ? value.join(',') : value;
  return new Set(text.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== ''));
}

export function isHopByHop(lowerName: string, named: ReadonlySet<string> | undefined): boolean {
  return HOP_BY_HOP.has(lowerName) || lowerName.startsWith('proxy-') || (named !== undefined && named.has(lowerName));
}

export interface ForwardedFor {
  readonly requestId: string;
  readonly scheme: 'http' | 'https';
  /** Keep Connection/Upgrade (WebSocket handshakes need them end to end). */
  readonly keepUpgrade?: boolean;
  /**
   * Host sent upstream instead of the client's (https endpoints: TLS checks the certificate
   * against the name in Host, which must be the endpoint's). The client's stays in X-Forwarded-Host.
   */
  readonly upstreamHost?: string;
}

/**
 * The client's headers as sent (raw names and order, repeated headers kept), minus hop-by-hop
 * ones, plus X-Forwarded-For (appended), X-Forwarded-Proto and -Host (set) and X-Request-Id.
 * `Expect` is dropped: the gateway already answered 100-continue to the client.
 */
export function upstreamRequestHeaders(req: IncomingMessage, f: ForwardedFor): string[] {
  const raw = req.rawHeaders;
  const named = connectionTokens(req.headers.connection);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (SET_BY_GATEWAY.has(lower)) continue;
    if (lower === 'host' && f.upstreamHost !== undefined) {
      out.push(raw[i]!, f.upstreamHost);
      continue;
    }
    if (isHopByHop(lower, named) && !(f.keepUpgrade === true && (lower === 'connection' || lower === 'upgrade'))) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  const prior = req.headers['x-forwarded-for'];
  const client = req.socket.remoteAddress ?? '';
  out.push('x-forwarded-for', prior === undefined || prior === '' ? client : `${prior}, ${client}`);
  out.push('x-forwarded-proto', f.scheme);
  if (req.headers.host !== undefined) out.push('x-forwarded-host', req.headers.host);
  out.push('x-request-id', f.requestId);
  return out;
}

/** The upstream's response headers minus hop-by-hop ones, in a fresh object the writer may extend. */
export function downstreamResponseHeaders(headers: ResponseHeaders): ResponseHeaders {
  const named = connectionTokens(headers.connection);
  const out: ResponseHeaders = {};
  for (const name in headers) {
    if (!isHopByHop(name, named)) out[name] = headers[name];
  }
  return out;
}
