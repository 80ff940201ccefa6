/**
 * `node dist/loadtest/bench/idle-canary.js [-- --seconds 10]`: readiness while backends that
 * take no live traffic are down. One real worker serves the live sides; a canary at 0 % and an
 * idle blue-green preview point at a port nothing listens on. Closed-loop load (8 connections)
 * runs on each route in turn while /readyz is polled every 100 ms. Reports requests, failures,
 * p99 and the polls that were not 200 (before issue 24: every one), and GET /admin/backends.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startGateway } from '../../gateway/start-gateway.js';
import type { BackendReport } from '../../gateway/health/backend-report.js';
import { silentLogger } from '../../observability/logger.js';
import { createModelRunner } from '../../worker/batching/model-runner.js';
import { startWorker } from '../../worker/start-worker.js';
import { closedLoop } from '../harness/closed-loop.js';
import { freePort } from '../harness/free-port.js';
import { ensureDemoModels } from './demo-repository.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const USAGE = 'Usage: node dist/loadtest/bench/idle-canary.js [--seconds 10]';
const BODY = Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] }));

export async function run(argv: readonly string[]): Promise<BenchSection> {
  const seconds = Number(parseArgs({ args: [...argv], options: { seconds: { type: 'string', default: '10' } } }).values.seconds);
  const worker = await startWorker({ modelsDir: await ensureDemoModels(), httpPort: 0, host: '127.0.0.1', log: silentLogger(), createRunner: createModelRunner });
  const live = `http://127.0.0.1:${worker.httpPort}`;
  const dead = `http://127.0.0.1:${await freePort()}`;
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-idle-canary-'));
  await writeFile(join(dir, 'gateway.yaml'), `
backends:
  stable: { endpoints: [${live}], model: iris }
  canary: { endpoints: [${dead}], model: iris }
  blue: { endpoints: [${live}], model: iris }
  green: { endpoints: [${dead}], model: iris }
routes:
  - { name: canary, match: { pathPrefix: /v2/models/iris, headers: { x-route: canary } }, rollout: { strategy: canary, stable: stable, canary: canary, weight: 0 } }
  - { name: bluegreen, match: { pathPrefix: /v2/models/iris }, rollout: { strategy: blueGreen, active: blue, preview: green } }
`);
  const gateway = await startGateway({
    configPath: join(dir, 'gateway.yaml'), log: silentLogger(), httpPort: 0, httpHost: '127.0.0.1', adminPort: 0, adminHost: '127.0.0.1',
    grpcPort: 0, grpcHost: '127.0.0.1', adminToken: '', probe: { intervalMs: 1000 },
  });
  const admin = `http://127.0.0.1:${gateway.adminPort}`;
  try {
    const readyz = { polls: 0, notReady: 0 };
    let stopped = false;
    const poller = (async () => {
      while (!stopped) {
        const res = await fetch(`${admin}/readyz`);
        await res.arrayBuffer();
        readyz.polls++;
        if (res.status !== 200) readyz.notReady++;
        await sleep(100);
      }
    })();
    const url = `http://127.0.0.1:${gateway.httpPort}/v2/models/iris/infer`;
    const rows: string[][] = [];
    const routes: Record<string, unknown> = {};
    for (const [route, extra] of [['canary at 0 %', { 'x-route': 'canary' }], ['blue-green, preview idle', {}]] as const) {
      const r = await closedLoop({ url, headers: { 'content-type': 'application/json', ...extra }, bodies: [BODY], connections: 8, durationSeconds: seconds });
      const failed = Object.values(r.errors).reduce((a, b) => a + b, 0);
      routes[route] = { requests: r.requests + failed, failed, p99Ms: r.latency.p99 };
      rows.push([route, String(r.requests + failed), String(failed), fmt(r.latency.p99)]);
    }
    stopped = true;
    await poller;
    const { backends } = (await (await fetch(`${admin}/admin/backends`)).json()) as { backends: BackendReport[] };
    const down = backends.filter((b) => b.endpoints.some((e) => e.state !== 'up')).map((b) => `${b.name} (live: ${b.live ? 'yes' : 'no'}): ${b.endpoints.map((e) => `${e.state}, ${e.reason ?? ''}`).join('; ')}`);
    return {
      name: 'idle-canary',
      title: 'Faults: backends without live traffic are down',
      command: 'node dist/loadtest/bench/idle-canary.js',
      notes: 'One worker behind the live sides; a canary at 0 % and an idle preview on a port nothing listens on. /readyz polled every 100 ms on the admin listener during the load.',
      markdown: [
        `Machine: ${machine()}. 8 connections, ${seconds} s per route.`,
        '',
        table(['route', 'requests', 'failed', 'p99 ms'], rows),
        '',
        `/readyz: ${readyz.polls} polls, ${readyz.notReady} not 200. GET /admin/backends: ${down.join(' / ')}.`,
      ].join('\n'),
      data: { seconds, routes, readyz, down },
    };
  } finally {
    await gateway.drain();
    await worker.drain();
  }
}

runIfMain(import.meta.url, run, USAGE);
