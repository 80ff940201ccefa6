/**
 * `npm run bench:gateway`: what the gateway adds on the request path, against the same
 * upstreams called directly and (when installed) through nginx with the same weighted split.
 * Upstreams are bare node:http servers answering a fixed body, so the proxy is the bottleneck.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { CLI_ENTRY, startListening } from '../harness/processes.js';
import { median, medianBy, roundRatios } from '../harness/rounds.js';
import { nginxInstalled, startNginx } from './nginx.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const USAGE = 'Usage: npm run bench:gateway [-- --seconds N --connections N --rounds N]\n\nDirect vs through the gateway vs through nginx (apt-get install nginx), one process each, in alternating rounds of N seconds.\nWrites loadtest/reports/gateway.json.';
const progress = (line: string) => process.stderr.write(`[bench:gateway] ${line}\n`);
const BARE = join(CLI_ENTRY, '..', '..', 'loadtest', 'bench', 'bare-http-server.js');

export async function run(argv: readonly string[]): Promise<BenchSection> {
  const { values: args } = parseArgs({ args: [...argv], options: { seconds: { type: 'string', default: '4' }, connections: { type: 'string', default: '64' }, rounds: { type: 'string', default: '5' } } });
  const SECONDS = Number(args.seconds);
  const CONNECTIONS = Number(args.connections);
  const ROUNDS = Number(args.rounds);
  progress(`machine: ${machine()}`);
  const stable = await startListening([BARE], 'httpPort');
  const canary = await startListening([BARE], 'httpPort');
  const stableUrl = `http://127.0.0.1:${stable.port}`;
  const canaryUrl = `http://127.0.0.1:${canary.port}`;
  const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: Array.from({ length: 30 }, (_, i) => i / 7) }] }));
  const load = (url: string, connections: number, seconds: number) => closedLoop({ url, headers: { 'content-type': 'application/json' }, bodies: [body], connections, durationSeconds: seconds, warmupSeconds: 0 });

  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-gw-'));
  const configPath = join(dir, 'gateway.yaml');
  await writeFile(configPath, `listeners:
  http: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
backends:
  stable: { endpoints: [${stableUrl}] }
  canary: { endpoints: [${canaryUrl}] }
routes:
  - name: bench
    match: { pathPrefix: / }
    rollout: { strategy: canary, stable: stable, canary: canary, weight: 20 }
`);
  // Every path stays up for the whole run; only the one under load does any work.
  const gateway = await startListening([CLI_ENTRY, 'gateway', '-c', configPath, '--grpc-port', '0'], 'httpPort', { SWITCHYARD_LOG_LEVEL: 'info' });
  const nginx = nginxInstalled() ? await startNginx([{ url: stableUrl, weight: 80 }, { url: canaryUrl, weight: 20 }]) : undefined;
  if (nginx === undefined) progress('nginx is not installed (apt-get install nginx): skipping the comparison');
  const paths: Record<string, string> = { direct: `${stableUrl}/v2/models/fraud/infer`, gateway: `http://127.0.0.1:${gateway.port}/v2/models/fraud/infer` };
  if (nginx !== undefined) paths.nginx = `http://127.0.0.1:${nginx.port}/v2/models/fraud/infer`;

  const light: Record<string, ClosedLoopResult> = {};
  for (const [name, url] of Object.entries(paths)) {
    progress(`${name}: warm-up, then 1 connection for ${SECONDS / 2} s`);
    await load(url, CONNECTIONS, 2);
    light[name] = await load(url, 1, SECONDS / 2);
  }
  // Throughput in short turns, every path once per round, so a drift in the shared machine's
  // speed (often ±20 % within a minute here) reaches every path of a round alike.
  const perRound: Record<string, ClosedLoopResult[]> = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of Object.entries(paths)) {
      progress(`round ${round + 1}/${ROUNDS}: ${name}, ${CONNECTIONS} connections, ${SECONDS} s`);
      perRound[name]!.push(await load(url, CONNECTIONS, SECONDS));
    }
  }
  await gateway.stop();
  await nginx?.stop();
  await stable.stop();
  await canary.stop();
  // Each path's round with the median throughput stands for it in the table.
  const results: Record<string, ClosedLoopResult> = Object.fromEntries(Object.entries(perRound).map(([name, runs]) => [name, medianBy(runs, (r) => r.requestsPerSecond)]));
  const rps = (name: string) => perRound[name]!.map((r) => r.requestsPerSecond);
  const roundRatio = (a: string, b: string) => roundRatios(rps(a), rps(b));

  const rows = Object.entries(results).map(([name, r]) => [
    name, fmt(r.requestsPerSecond), fmt(r.latency.p50, 2), fmt(r.latency.p99, 2), fmt(light[name]!.latency.p50, 3), fmt(light[name]!.latency.p99, 3), JSON.stringify(r.errors),
  ]);
  const out = [
    `Machine: ${machine()}; throughput at ${CONNECTIONS} connections in ${ROUNDS} rounds of ${SECONDS} s per path, every path once per round (the table shows each path's median round); added latency at 1 connection over ${SECONDS / 2} s, after a 2 s warm-up.`,
    '',
    table(['path', `req/s @${CONNECTIONS}`, `p50 ms @${CONNECTIONS}`, `p99 ms @${CONNECTIONS}`, 'p50 ms @1', 'p99 ms @1', 'errors'], rows),
    '',
  ];
  const overDirect = roundRatio('gateway', 'direct');
  const overNginx = perRound.nginx === undefined ? undefined : roundRatio('gateway', 'nginx');
  const ratios: Record<string, number> = {
    gatewayOverDirect: median(overDirect),
    addedP50Ms: light.gateway!.latency.p50 - light.direct!.latency.p50,
  };
  if (overNginx !== undefined) ratios.gatewayOverNginx = median(overNginx);
  const spread = (xs: number[]) => `${fmt(xs[0]!, 3)}-${fmt(xs[xs.length - 1]!, 3)}`;
  out.push(table(['figure', 'value (median of rounds)', 'rounds min-max', 'target'], [
    ['gateway / direct throughput', fmt(ratios.gatewayOverDirect!, 3), spread(overDirect), 'reported'],
    ['gateway / nginx throughput', overNginx === undefined ? 'nginx not installed' : fmt(ratios.gatewayOverNginx!, 3), overNginx === undefined ? '' : spread(overNginx), '>= 0.5'],
    ['p50 added by the gateway (ms)', fmt(ratios.addedP50Ms!, 3), '', '< 1'],
  ]));
  const roundRows = Array.from({ length: ROUNDS }, (_, i) => [String(i + 1), ...Object.keys(paths).map((name) => fmt(perRound[name]![i]!.requestsPerSecond))]);
  out.push('', `Throughput per round (req/s at ${CONNECTIONS} connections):`, '', table(['round', ...Object.keys(paths)], roundRows));
  return {
    name: 'gateway',
    title: 'Gateway: the cost of the proxy against direct calls and nginx',
    command: 'npm run bench:gateway',
    notes: 'Upstreams are two bare node:http servers (so the proxy is the bottleneck). The gateway route is a canary split 80/20 with metrics on; nginx runs one worker process with the same 80/20 weights and keep-alive upstreams. The ratios are medians of per-round ratios, each round measuring every path back to back.',
    markdown: out.join('\n'),
    data: { seconds: SECONDS, connections: CONNECTIONS, rounds: ROUNDS, results, perRound, oneConnection: light, ratios },
  };
}

runIfMain(import.meta.url, run, USAGE);
