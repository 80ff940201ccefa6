/**
 * `npm run bench:shadow`: the shadow's effect on the primary's latency. Two gateways run side
 * by side, the same config with and without `shadow: {percent: 100, compare: outputs}` on a
 * model route, and take turns (A B, B A, ...) at a paced fixed rate for several short rounds,
 * so drift on a shared machine hits both alike. Upstreams are bare node:http servers with a
 * fixed v2 answer, one process each.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { HttpSender } from '../harness/http-sender.js';
import { openLoop } from '../harness/open-loop.js';
import { summarise, type LatencySummary } from '../harness/percentiles.js';
import { CLI_ENTRY, startListening } from '../harness/processes.js';
import { median, roundRatios } from '../harness/rounds.js';
import { fmt, machine, saveReport, table } from './report.js';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' }, rounds: { type: 'string', default: '8' }, rate: { type: 'string', default: '400' }, help: { type: 'boolean' } } });
if (args.help) {
  process.stdout.write('Usage: npm run bench:shadow [-- --seconds N --rounds N --rate N --connections N]\n\nPrimary latency without and with a 100 % shadow, paced fixed rate, rounds alternated. Writes loadtest/reports/shadow.json.\n');
  process.exit(0);
}
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
/** Requests per second of the fixed-rate runs: well below what the gateway serves with the shadow on here. */
const RATE = Number(args.rate);

interface PacedRun {
  readonly requests: number;
  readonly failed: number;
  readonly dropped: number;
  readonly latency: LatencySummary;
  /** Every latency of the run, ms (pooled across rounds for the figure). */
  readonly latencies: number[];
}

/**
 * Paced open-loop load: one request every 1/RATE s, latency measured from when it was due.
 * The latency a client sees when the gateway is not saturated is what "the shadow adds no
 * latency" is about; a closed loop at full speed measures the CPU the shadow takes instead.
 * (autocannon's overallRate sends each second's requests in a burst, whose queueing would
 * swamp the figure.)
 */
async function paced(origin: string, body: Buffer, seconds: number): Promise<PacedRun> {
  const sender = new HttpSender(origin, CONNECTIONS);
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const counts = await openLoop({
    rate: () => RATE,
    durationMs: seconds * 1000,
    maxOutstanding: CONNECTIONS,
    fire: async (dueMs) => {
      const sample = await sender.send({ path: '/v2/models/fraud/infer', headers: { 'content-type': 'application/json' }, body }, start + dueMs, dueMs);
      if (sample.status >= 200 && sample.status < 300) latencies.push(sample.latencyMs);
      else failed++;
    },
  });
  await sender.close();
  return { requests: latencies.length, failed, dropped: counts.dropped, latency: summarise(latencies), latencies };
}
const progress = (line: string) => process.stderr.write(`[bench:shadow] ${line}\n`);
const BARE = join(CLI_ENTRY, '..', '..', 'loadtest', 'bench', 'bare-http-server.js');

async function config(dir: string, name: string, primary: string, shadow: string, withShadow: boolean): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, `listeners:
  http: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
backends:
  v1: { endpoints: [${primary}], model: fraud, version: 1 }
  v3: { endpoints: [${shadow}], model: fraud, version: 3 }
routes:
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    backend: v1
${withShadow ? '    shadow: { backend: v3, percent: 100, compare: outputs, maxConcurrent: 64 }\n' : ''}`);
  return path;
}

async function main(): Promise<void> {
  progress(`machine: ${machine()}`);
  const primary = await startListening([BARE], 'httpPort');
  const shadow = await startListening([BARE], 'httpPort');
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-shadow-'));
  const plain = await config(dir, 'plain', `http://127.0.0.1:${primary.port}`, `http://127.0.0.1:${shadow.port}`, false);
  const shadowed = await config(dir, 'shadowed', `http://127.0.0.1:${primary.port}`, `http://127.0.0.1:${shadow.port}`, true);
  const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: Array.from({ length: 30 }, (_, i) => i / 7) }] }));
  const names = ['no shadow', 'shadow 100 %'] as const;
  const gateways = await Promise.all([plain, shadowed].map((path) => startListening([CLI_ENTRY, 'gateway', '-c', path, '--grpc-port', '0'], 'httpPort', { SWITCHYARD_LOG_LEVEL: 'info' })));
  const origins = gateways.map((g) => `http://127.0.0.1:${g.port}`);
  progress('warm-up: 2 s each');
  for (const origin of origins) await paced(origin, body, 2);
  const runs: { name: string; round: number; result: PacedRun }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      progress(`round ${round + 1}/${ROUNDS}: ${names[i]}, ${RATE} req/s paced`);
      runs.push({ name: names[i]!, round, result: await paced(origins[i]!, body, SECONDS) });
    }
  }
  const saturated: { name: string; result: ClosedLoopResult }[] = [];
  for (const [i, origin] of origins.entries()) {
    progress(`${names[i]}, closed loop at ${CONNECTIONS} connections`);
    saturated.push({ name: names[i]!, result: await closedLoop({ url: `${origin}/v2/models/fraud/infer`, headers: { 'content-type': 'application/json' }, bodies: [body], connections: CONNECTIONS, durationSeconds: SECONDS }) });
  }
  await Promise.all(gateways.map((g) => g.stop()));
  await primary.stop();
  await shadow.stop();

  const pooled = (name: string) => summarise(runs.filter((r) => r.name === name).flatMap((r) => r.result.latencies));
  const [without, withShadow] = names.map(pooled) as [LatencySummary, LatencySummary];
  const p99Added = withShadow.p99 / without.p99 - 1;
  const p50Added = withShadow.p50 - without.p50;
  // Per round, the shadowed p99 over the unshadowed one: their spread shows the noise the pooled figure sits in.
  const p99s = (name: string) => Array.from({ length: ROUNDS }, (_, round) => runs.find((r) => r.round === round && r.name === name)!.result.latency.p99);
  const p99Ratios = roundRatios(p99s(names[1]), p99s(names[0]));
  const medianRatio = median(p99Ratios);
  const rows = runs.map((r) => [String(r.round + 1), r.name, String(r.result.requests), fmt(r.result.latency.p50, 2), fmt(r.result.latency.p99, 2), String(r.result.failed), String(r.result.dropped)]);
  const saturatedRows = saturated.map((r) => [r.name, fmt(r.result.requestsPerSecond), fmt(r.result.latency.p50, 2), fmt(r.result.latency.p99, 2), JSON.stringify(r.result.errors)]);
  const out = [
    `Machine: ${machine()}; paced fixed rate ${RATE} req/s (at most ${CONNECTIONS} in flight), ${ROUNDS} rounds of ${SECONDS} s per config, order alternated, after a 2 s warm-up each.`,
    '',
    table(['round', 'config', 'answers', 'p50 ms', 'p99 ms', 'failed', 'dropped'], rows),
    '',
    table(['config', 'answers', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms'], names.map((name, i) => {
      const l = [without, withShadow][i]!;
      return [name, String(runs.filter((r) => r.name === name).reduce((n, r) => n + r.result.requests, 0)), fmt(l.p50, 2), fmt(l.p90, 2), fmt(l.p99, 2), fmt(l.p999, 2)];
    })),
    '',
    `Closed loop at ${CONNECTIONS} connections, ${SECONDS} s (the gateway saturated: what the shadow costs in throughput):`,
    '',
    table(['config', 'req/s', 'p50 ms', 'p99 ms', 'errors'], saturatedRows),
    '',
    table(['figure', 'value', 'target'], [
      ['primary p99 added by a 100 % shadow (all rounds pooled)', `${fmt(100 * p99Added, 1)} %`, '< 5 %'],
      ['per-round p99 ratio shadow / none: median (min-max)', `${fmt(medianRatio, 3)} (${fmt(p99Ratios[0]!, 2)}-${fmt(p99Ratios[p99Ratios.length - 1]!, 2)})`, 'reported'],
      ['primary p50 added (ms)', fmt(p50Added, 3), 'reported'],
    ]),
  ];
  process.stdout.write(out.join('\n') + '\n');
  const path = await saveReport('shadow', {
    seconds: SECONDS, connections: CONNECTIONS, rate: RATE, rounds: ROUNDS,
    runs: runs.map((r) => ({ name: r.name, round: r.round, requests: r.result.requests, failed: r.result.failed, dropped: r.result.dropped, latency: r.result.latency })),
    pooled: { 'no shadow': without, 'shadow 100 %': withShadow }, saturated, p99Added, p50Added, roundRatios: p99Ratios, markdown: out.join('\n'),
  });
  progress(`wrote ${path}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:shadow failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
