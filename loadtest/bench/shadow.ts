/**
 * `npm run bench:shadow`: the shadow's effect on the primary's latency. The same gateway config
 * with and without `shadow: {percent: 100, compare: outputs}` on a model route, runs
 * alternated (A B A B) so drift on a shared machine hits both alike. Upstreams are bare
 * node:http servers with a fixed v2 answer, one process each.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { closedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { summarise } from '../harness/percentiles.js';
import { CLI_ENTRY, startListening } from '../harness/processes.js';
import { fmt, machine, saveReport, table } from './report.js';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, connections: { type: 'string', default: '16' }, rounds: { type: 'string', default: '2' }, rate: { type: 'string', default: '400' }, help: { type: 'boolean' } } });
if (args.help) {
  process.stdout.write('Usage: npm run bench:shadow [-- --seconds N --connections N --rounds N]\n\nPrimary latency without and with a 100 % shadow. Writes loadtest/reports/shadow.json.\n');
  process.exit(0);
}
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
/** Requests per second of the fixed-rate runs: below what the gateway serves with the shadow on here. */
const RATE = Number(args.rate);

/**
 * Fixed-rate load (autocannon's overallRate): the latency a client sees when the gateway is
 * not saturated, which is what "the shadow adds no latency" is about. A closed loop at full
 * speed measures the CPU the shadow takes instead (it roughly doubles the gateway's work).
 */
function fixedRate(url: string, body: Buffer, seconds: number): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, overallRate: RATE, requests: [{ method: 'POST', body, headers: { 'content-type': 'application/json' } }] }, (err) => {
      if (err) return reject(err);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ connections: CONNECTIONS, seconds: elapsed, requests: latencies.length, requestsPerSecond: latencies.length / elapsed, latency: summarise(latencies), errors });
    });
    instance.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else errors[String(status)] = (errors[String(status)] ?? 0) + 1;
    });
    instance.on('reqError', () => (errors.conn = (errors.conn ?? 0) + 1));
  });
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
  const runs: { name: string; result: ClosedLoopResult }[] = [];
  const saturated: { name: string; result: ClosedLoopResult }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, path] of [['no shadow', plain], ['shadow 100 %', shadowed]] as const) {
      const gateway = await startListening([CLI_ENTRY, 'gateway', '-c', path, '--grpc-port', '0'], 'httpPort', { SWITCHYARD_LOG_LEVEL: 'info' });
      const url = `http://127.0.0.1:${gateway.port}/v2/models/fraud/infer`;
      progress(`round ${round + 1}: ${name}, ${RATE} req/s`);
      await fixedRate(url, body, 2);
      runs.push({ name, result: await fixedRate(url, body, SECONDS) });
      if (round === 0) {
        progress(`${name}, closed loop at ${CONNECTIONS} connections`);
        saturated.push({ name, result: await closedLoop({ url, headers: { 'content-type': 'application/json' }, bodies: [body], connections: CONNECTIONS, durationSeconds: SECONDS / 2 }) });
      }
      await gateway.stop();
    }
  }
  await primary.stop();
  await shadow.stop();
  const mean = (name: string, pick: (r: ClosedLoopResult) => number) => {
    const xs = runs.filter((r) => r.name === name).map((r) => pick(r.result));
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const rows = runs.map((r) => [r.name, fmt(r.result.requestsPerSecond), fmt(r.result.latency.p50, 2), fmt(r.result.latency.p99, 2), JSON.stringify(r.result.errors)]);
  const saturatedRows = saturated.map((r) => [r.name, fmt(r.result.requestsPerSecond), fmt(r.result.latency.p50, 2), fmt(r.result.latency.p99, 2), JSON.stringify(r.result.errors)]);
  const p99Added = mean('shadow 100 %', (r) => r.latency.p99) / mean('no shadow', (r) => r.latency.p99) - 1;
  const out = [
    `Machine: ${machine()}; fixed rate ${RATE} req/s over ${CONNECTIONS} connections, ${SECONDS} s per run after 2 s warm-up, ${ROUNDS} rounds alternated.`,
    '',
    table(['config', 'req/s', 'p50 ms', 'p99 ms', 'errors'], rows),
    '',
    `Closed loop at ${CONNECTIONS} connections, ${SECONDS / 2} s (the gateway saturated: what the shadow costs in throughput):`,
    '',
    table(['config', 'req/s', 'p50 ms', 'p99 ms', 'errors'], saturatedRows),
    '',
    table(['figure', 'value', 'target'], [['primary p99 added by a 100 % shadow', `${fmt(100 * p99Added, 1)} %`, '< 5 %']]),
  ];
  process.stdout.write(out.join('\n') + '\n');
  const path = await saveReport('shadow', { seconds: SECONDS, connections: CONNECTIONS, rate: RATE, runs, saturated, p99Added, markdown: out.join('\n') });
  progress(`wrote ${path}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:shadow failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
