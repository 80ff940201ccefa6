import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/** What the echo upstream answers: the request exactly as it arrived. */
export interface Echo {
  readonly upstream: string;
  readonly method: string;
  readonly url: string;
  /** Raw header pairs as received, names in their original case. */
  readonly rawHeaders: string[];
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface EchoUpstream {
  readonly url: string;
  readonly port: number;
  /** Requests answered so far. */
  readonly count: () => number;
  /** TCP connections accepted so far (keep-alive reuse keeps this low). */
  readonly connections: () => number;
  /** Requests to /hold wait until this is called. */
  readonly releaseHeld: () => void;
  /** Resolves when a request to /hold has arrived. */
  readonly held: () => Promise<void>;
  close(): Promise<void>;
}

/**
 * A real HTTP(S) upstream for gateway tests. Every path echoes the request as JSON, except:
 * paths ending /status/NNN answer NNN; .../stream sends three chunks (no content-length); .../hold waits for
 * releaseHeld(). An Upgrade request gets 101 and then every byte sent is echoed back.
 */
export async function startEchoUpstream(name: string, tls?: { cert: Buffer | string; key: Buffer | string }): Promise<EchoUpstream> {
  let count = 0;
  let release: () => void = () => undefined;
  let releasedPromise = new Promise<void>((resolve) => (release = resolve));
  let arrived: () => void = () => undefined;
  const arrivedPromise = new Promise<void>((resolve) => (arrived = resolve));
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      count++;
      const path = (req.url ?? '/').split('?')[0]!;
      const status = /\/status\/(\d{3})$/.exec(path);
      if (status) {
        res.writeHead(Number(status[1]), { 'content-type': 'text/plain', 'x-upstream': name });
        res.end(`status ${status[1]}`);
        return;
      }
      if (path.endsWith('/stream')) {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
        res.write('one,');
        setImmediate(() => {
          res.write('two,');
          setImmediate(() => res.end('three'));
        });
        return;
      }
      const echo: Echo = {
        upstream: name, method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const send = (): void => {
        const text = JSON.stringify(echo);
        res.writeHead(200, {
          'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-upstream': name,
          connection: 'keep-alive', 'keep-alive': 'timeout=30', 'x-hop': 'yes',
        });
        res.end(text);
      };
      if (path.endsWith('/hold')) {
        arrived();
        void releasedPromise.then(send);
      } else send();
    });
  };
  const server: Server = tls === undefined ? createHttpServer(handler) : createHttpsServer({ cert: tls.cert, key: tls.key }, handler);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\nx-upstream: ${name}\r\n\r\n`);
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    count: () => count,
    connections: () => connections,
    releaseHeld: () => {
      release();
      releasedPromise = Promise.resolve();
    },
    held: () => arrivedPromise,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
