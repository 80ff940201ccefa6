import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

/** How the fault upstream answers the next requests. */
export type FaultMode =
  | { kind: 'ok' }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'slow'; ms: number }
  /** Alternates: `status` on odd requests, 200 on even ones. */
  | { kind: 'flap'; status: number };

export interface FaultUpstream {
  readonly url: string;
  /** Requests received so far. */
  readonly count: () => number;
  /** Bodies received, in order. */
  readonly bodies: string[];
  setMode(mode: FaultMode): void;
  close(): Promise<void>;
}

/**
 * A real HTTP upstream that fails on demand: answers 200 with a JSON echo of the body and
 * path (`ok`), a fixed status (`status`, JSON body), never (`hang`), after a delay (`slow`),
 * or alternately failing and answering (`flap`).
 */
export async function startFaultUpstream(name: string, mode: FaultMode = { kind: 'ok' }): Promise<FaultUpstream> {
  let current = mode;
  let count = 0;
  const bodies: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      count++;
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const m = current;
      const answer = (status: number): void => {
        const text = JSON.stringify({ upstream: name, path: req.url, status, body });
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-upstream': name });
        res.end(text);
      };
      if (m.kind === 'ok') answer(200);
      else if (m.kind === 'status') answer(m.status);
      else if (m.kind === 'slow') setTimeout(() => answer(200), m.ms);
      else if (m.kind === 'flap') answer(count % 2 === 1 ? m.status : 200);
      // hang: never answers; the connection closes when the gateway gives up.
    });
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    bodies,
    setMode: (m) => {
      current = m;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** A loopback URL where nothing listens: connections are refused. */
export async function refusingUrl(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The value of one sample in Prometheus text, 0 when absent. `labels` as written: 'route="r",kind="cache"', or '' for none. */
export async function metric(adminUrl: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  for (const line of text.split('\n')) {
    // A metric without labels: `name value`.
    if (labels === '' && line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.indexOf('}');
    const got = line.slice(name.length + 1, close).split(',').sort().join(',');
    if (got === labels.split(',').sort().join(',')) return Number(line.slice(close + 2));
  }
  return 0;
}
