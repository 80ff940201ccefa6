/**
 * Malformed HTTP/2 clients against real gRPC listeners: a worker process and a gateway process
 * in front of it (as test/integration/{worker,gateway}/grpc/connection-leaks.test.ts start
 * them). For each, in turn: its open descriptors at baseline, right after the flood and at
 * their highest while polled every 50 ms, how long until they are back at the baseline (plus
 * SLACK), and whether a normal gRPC call succeeds afterwards.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { inferenceService } from '../../protocol/grpc/load.js';
import { WORKER_NODE_FLAGS } from '../../worker/node-flags.js';
import { floodMalformed, openDescriptors, watchDescriptors } from './malformed-h2.js';
import { startCli, type ListeningProcess } from './processes.js';

/** Descriptors a server may hold above its baseline once the flood is over (a log flush, a timer's handle); the tests allow the same. */
export const SLACK = 5;

export interface FloodOptions {
  readonly models: string;
  /** Malformed clients per server, the four kinds in turn. */
  readonly clients: number;
  /** Clients opened at a time. */
  readonly parallel: number;
  /** How long to wait for the descriptors to come back, ms. */
  readonly watchMs: number;
  readonly log?: (line: string) => void;
}

export interface FloodFigures {
  readonly clients: number;
  /** ms to open every client and write its bytes. */
  readonly floodMs: number;
  /** Open descriptors before the flood, right after it, and the highest seen. */
  readonly baseline: number;
  readonly afterFlood: number;
  readonly peak: number;
  /** ms from the end of the flood until at most baseline + SLACK; undefined if not within watchMs. */
  readonly backMs: number | undefined;
  readonly last: number;
  /** Clients whose connection the server had closed by the end of the watch (+ 1 s). */
  readonly closedByServer: number;
  /** Clients that sent a bad frame, and those of them that got a GOAWAY first. */
  readonly badFrame: number;
  readonly badFrameGoaway: number;
  /** `ok`, or why the ModelReady call after the flood failed. */
  readonly callAfter: string;
}

/** A ModelReady caller over one insecure channel, kept open so that it is part of the baseline. */
function modelReady(address: string): { call(): Promise<string>; close(): void } {
  const Inference = inferenceService();
  const client = new Inference(address, credentials.createInsecure()) as unknown as Client & {
    ModelReady(req: object, md: Metadata, cb: (e: ServiceError | null, res: { ready: boolean }) => void): void;
  };
  return {
    call: () => new Promise((resolve) => {
      client.ModelReady({ name: 'iris' }, new Metadata(), (e, res) => resolve(e ? `${e.code} ${e.details}` : res.ready ? 'ok' : 'not ready'));
    }),
    close: () => client.close(),
  };
}

async function floodOne(pid: number, port: number, options: FloodOptions): Promise<FloodFigures> {
  const caller = modelReady(`127.0.0.1:${port}`);
  try {
    const before = await caller.call();
    if (before !== 'ok') throw new Error(`ModelReady before the flood: ${before}`);
    const baseline = openDescriptors(pid);
    const started = performance.now();
    const clients = await floodMalformed(port, options.clients, options.parallel);
    const floodMs = Math.round(performance.now() - started);
    const afterFlood = openDescriptors(pid);
    const watch = await watchDescriptors(pid, baseline + SLACK, options.watchMs);

    let closedByServer = 0;
    let badFrameGoaway = 0;
    const closes = clients.map((c) => c.closed.then(({ goaway }) => {
      closedByServer++;
      if (c.kind.startsWith('bad-frame') && goaway) badFrameGoaway++;
    }));
    await Promise.race([Promise.all(closes), sleep(1000)]);
    for (const c of clients) c.destroy();
    return {
      clients: clients.length, floodMs, baseline, afterFlood, peak: Math.max(afterFlood, watch.peak), backMs: watch.backMs, last: watch.last,
      closedByServer, badFrame: clients.filter((c) => c.kind.startsWith('bad-frame')).length, badFrameGoaway, callAfter: await caller.call(),
    };
  } finally {
    caller.close();
  }
}

function gatewayConfig(workerUrl: string, workerGrpc: string): string {
  return `listeners:
  http: { host: 127.0.0.1 }
  grpc: { host: 127.0.0.1 }
  admin: { host: 127.0.0.1 }
backends:
  iris: { endpoints: [${workerUrl}], grpcEndpoints: ['${workerGrpc}'], model: iris }
routes:
  - { name: iris, match: { pathPrefix: /v2/models/iris }, backend: iris }
`;
}

/** Floods the worker's gRPC listener, then the gateway's (whose calls go to that worker). */
export async function runGrpcFlood(options: FloodOptions): Promise<{ worker: FloodFigures; gateway: FloodFigures }> {
  const log = options.log ?? (() => undefined);
  let worker: ListeningProcess | undefined;
  let gateway: ListeningProcess | undefined;
  try {
    worker = await startCli(['worker', '--models', options.models, '--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0'], WORKER_NODE_FLAGS);
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-grpc-flood-'));
    await writeFile(join(dir, 'gateway.yaml'), gatewayConfig(`http://127.0.0.1:${worker.line.httpPort as number}`, `127.0.0.1:${worker.line.grpcPort as number}`));
    gateway = await startCli(['gateway', '-c', join(dir, 'gateway.yaml'), '--http-port', '0', '--admin-port', '0', '--grpc-port', '0']);
    log(`gRPC flood: ${options.clients} malformed clients, ${options.parallel} at a time, at the worker's gRPC listener`);
    const workerFigures = await floodOne(worker.child.pid!, worker.line.grpcPort as number, options);
    log(`gRPC flood: ${options.clients} malformed clients at the gateway's gRPC listener`);
    const gatewayFigures = await floodOne(gateway.child.pid!, gateway.line.grpcPort as number, options);
    return { worker: workerFigures, gateway: gatewayFigures };
  } finally {
    for (const p of [gateway, worker]) {
      if (p === undefined) continue;
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
}
