import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { startCli, WorkerProcess, type ListeningProcess } from './processes.js';

/** What one request of the run ended as. */
interface Sample {
  /** ms since the run started, when the request was sent. */
  readonly at: number;
  readonly ms: number;
  readonly ok: boolean;
  readonly fallback: boolean;
  readonly route: string;
}

export interface PhaseFigures {
  readonly requests: number;
  readonly failures: number;
  /** failures / requests. */
  readonly errorRate: number;
  /** Answers served by the fallback cache / requests. */
  readonly fallbackShare: number;
  /** 99th percentile latency of every answer, ms. */
  readonly p99Ms: number;
}

export interface FaultRunResult {
  readonly seconds: number;
  readonly connections: number;
  /** Per route ('plain': no fallback, 'cached': fallback cache warmed first), per phase. */
  readonly routes: Record<string, { before: PhaseFigures; during: PhaseFigures; after: PhaseFigures; all: PhaseFigures }>;
  /** Requests the restarted worker process served. */
  readonly restartedServed: number;
}

export interface FaultRunOptions {
  readonly models: string;
  readonly seconds: number;
  readonly killAtSeconds: number;
  readonly restartAtSeconds: number;
  /** Concurrent clients, split over the two routes. */
  readonly connections: number;
  readonly log?: (line: string) => void;
}

/** Distinct iris rows: the cached route's cache is warmed with each before the run. */
const ROWS = Array.from({ length: 16 }, (_, i) => [4.5 + (i % 4) * 0.5, 3 + (i % 3) * 0.2, 1.4 + (i % 5) * 0.8, 0.2 + (i % 2) * 0.9]);
const body = (i: number): string => JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: ROWS[i % ROWS.length] }] });

/** The resilience both routes share; `cached` adds the fallback cache. */
function gatewayConfig(workers: readonly WorkerProcess[]): string {
  const resilience = `    resilience:
      timeouts: { connect: 250ms, perTry: 1s, total: 3s }
      retries: { attempts: 2, backoff: 5ms }
      circuitBreaker: {}
      outlierDetection: { consecutiveGatewayFailure: 3, baseEjection: 2s }`;
  return `listeners:
  http: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
backends:
  iris: { endpoints: [${workers.map((w) => w.url).join(', ')}], model: iris, version: "1" }
routes:
  - name: cached
    match: { pathPrefix: /v2/models/iris, headers: { x-fault-route: cached } }
    backend: iris
${resilience}
    fallback: { cache: { ttl: 10m } }
  - name: plain
    match: { pathPrefix: /v2/models/iris }
    backend: iris
${resilience}
`;
}

/**
 * Two worker processes behind one backend, a gateway process in front, closed-loop load on
 * two routes (with and without a warm fallback cache); one worker is SIGKILLed at
 * killAtSeconds and started again on the same ports at restartAtSeconds.
 */
export async function runFaultScenario(options: FaultRunOptions): Promise<FaultRunResult> {
  const log = options.log ?? (() => undefined);
  const workers: WorkerProcess[] = [];
  let gateway: ListeningProcess | undefined;
  try {
    // One at a time, so a worker that started is stopped in `finally` even if the next fails to.
    for (let i = 0; i < 2; i++) workers.push(await WorkerProcess.start(options.models));
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-faults-'));
    await writeFile(join(dir, 'gateway.yaml'), gatewayConfig(workers));
    gateway = await startCli(['gateway', '-c', join(dir, 'gateway.yaml'), '--grpc-port', '0']);
    const url = `http://127.0.0.1:${gateway.line.httpPort as number}`;
    const pool = new Pool(url, { connections: options.connections + 4 });
    const send = async (i: number, route: string): Promise<{ ok: boolean; fallback: boolean }> => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (route === 'cached') headers['x-fault-route'] = 'cached';
      const res = await pool.request({ method: 'POST', path: '/v2/models/iris/infer', headers, body: body(i) });
      await res.body.arrayBuffer();
      return { ok: res.statusCode === 200, fallback: res.headers['x-switchyard-fallback'] === 'cache' };
    };
    for (let i = 0; i < ROWS.length; i++) {
      for (const route of ['cached', 'plain']) {
        if (!(await send(i, route)).ok) throw new Error('the stack does not answer before the run; see the worker logs');
      }
    }
    log(`stack up: workers ${workers.map((w) => w.url).join(', ')}, gateway ${url}; cache warmed with ${ROWS.length} inputs`);

    const samples: Sample[] = [];
    const started = performance.now();
    const end = started + options.seconds * 1000;
    const loop = async (n: number): Promise<void> => {
      const route = n % 2 === 0 ? 'cached' : 'plain';
      for (let i = n; performance.now() < end; i += options.connections) {
        const at = performance.now();
        let outcome = { ok: false, fallback: false };
        try {
          outcome = await send(i, route);
        } catch {
          // a connection error counts as a failure
        }
        samples.push({ at: at - started, ms: performance.now() - at, route, ...outcome });
      }
    };
    const chaos = (async () => {
      await sleep(options.killAtSeconds * 1000);
      log(`t=${options.killAtSeconds}s: SIGKILL ${workers[0]!.url}`);
      await workers[0]!.kill();
      await sleep(Math.max(0, started + options.restartAtSeconds * 1000 - performance.now()));
      log(`t=${options.restartAtSeconds}s: restarting ${workers[0]!.url}`);
      await workers[0]!.restart();
      log(`t=${((performance.now() - started) / 1000).toFixed(1)}s: ${workers[0]!.url} listening again`);
    })();
    await Promise.all([...Array.from({ length: options.connections }, (_, n) => loop(n)), chaos]);
    const restartedServed = await workers[0]!.served();
    await pool.close();

    const routes: FaultRunResult['routes'] = {};
    for (const route of ['plain', 'cached']) {
      const mine = samples.filter((s) => s.route === route);
      const phase = (from: number, to: number) => figures(mine.filter((s) => s.at >= from * 1000 && s.at < to * 1000));
      routes[route] = {
        before: phase(0, options.killAtSeconds),
        during: phase(options.killAtSeconds, options.restartAtSeconds),
        after: phase(options.restartAtSeconds, Infinity),
        all: figures(mine),
      };
    }
    return { seconds: options.seconds, connections: options.connections, routes, restartedServed };
  } finally {
    if (gateway !== undefined) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    await Promise.all(workers.map((w) => w.stop()));
  }
}

function figures(samples: readonly Sample[]): PhaseFigures {
  const n = samples.length;
  const failures = samples.filter((s) => !s.ok).length;
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const p99 = n === 0 ? NaN : sorted[Math.min(n - 1, Math.ceil(n * 0.99) - 1)]!;
  return {
    requests: n, failures, errorRate: n === 0 ? 0 : failures / n,
    fallbackShare: n === 0 ? 0 : samples.filter((s) => s.fallback).length / n, p99Ms: p99,
  };
}
