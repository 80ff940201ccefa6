import type { IncomingMessage } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import { invalidRequest, noHealthyEndpoint, routeNotFound, upstreamUnavailable } from '../errors.js';
import { sendErrorOnSocket } from '../respond.js';
import { findRoute } from '../routing/match.js';
import type { CompiledGateway } from '../routing/compile.js';
import { pickEndpoint } from './balancer.js';
import type { UpstreamTlsOptions } from './endpoint.js';
import { upstreamRequestHeaders } from './headers.js';

export interface UpgradeDeps {
  readonly random: () => number;
  readonly tls: UpstreamTlsOptions;
  readonly scheme: 'http' | 'https';
  readonly requestId: string;
  readonly onConnectError: (backend: string) => void;
}

/**
 * WebSocket (any Upgrade) on a plain route: the route's target picks a backend and endpoint,
 * the handshake is re-sent on a fresh TCP/TLS connection with the usual forwarded headers, and
 * from then on bytes are piped both ways unchanged, whatever the upstream answers. Model routes
 * refuse upgrades (400). Upgraded connections are not part of the filter chain.
 */
export function proxyUpgrade(gateway: CompiledGateway, req: IncomingMessage, client: Duplex, head: Buffer, deps: UpgradeDeps): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const route = findRoute(gateway.routes, path, req.headers);
  if (route === undefined) return void sendErrorOnSocket(client, routeNotFound(req.method ?? 'GET', path));
  if (!route.plain) return void sendErrorOnSocket(client, invalidRequest(`route '${route.name}' serves models; protocol upgrades (WebSocket) work on plain routes only`));
  const backend = route.target.select(req.headers).backend;
  const endpoint = pickEndpoint(backend.endpoints, deps.random);
  if (endpoint === undefined) return void sendErrorOnSocket(client, noHealthyEndpoint(backend.name));

  const { hostname, port, protocol } = endpoint.url;
  const host = hostname.replace(/^\[|\]$/g, '');
  const secure = protocol === 'https:';
  const upstream: Socket = secure
    ? connectTls({ host, port: Number(port || 443), servername: host, ca: deps.tls.ca, rejectUnauthorized: deps.tls.rejectUnauthorized ?? true })
    : connectTcp({ host, port: Number(port || 80) });
  let connected = false;
  upstream.once(secure ? 'secureConnect' : 'connect', () => {
    connected = true;
    const headers = upstreamRequestHeaders(req, { requestId: deps.requestId, scheme: deps.scheme, keepUpgrade: true });
    let text = `${req.method ?? 'GET'} ${url} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    upstream.write(`${text}\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (err) => {
    if (connected) return void client.destroy();
    deps.onConnectError(backend.name);
    sendErrorOnSocket(client, upstreamUnavailable(backend.name, err));
  });
  upstream.on('close', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
}
