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
import { nginxInstalled, startNginx } from './nginx.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const USAGE = 'Usage: npm run bench:gateway [-- --seconds N --connections N]\n\nDirect vs through the gateway vs through nginx (apt-get install nginx), one process each.\nWrites loadtest/reports/gateway.json.';
const progress = (line: string) => process.stderr.write(`[bench:gateway] ${line}\n`);
const BARE = join(CLI_ENTRY, '..', '..', 'loadtest', 'bench', 'bare-http-server.js');

export async function run(argv: readonly string[]): Promise<BenchSection> {
  const { values: args } = parseArgs({ args: [...argv], options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '64' } } });
  const SECONDS = Number(args.seconds);
  const CONNECTIONS = Number(args.connections);
  progress(`machine: ${machine()}`);
  const stable = await startListening([BARE], 'httpPort');
  const canary = await startListening([BARE], 'httpPort');
  const stableUrl = `http://127.0.0.1:${stable.port}`;
  const canaryUrl = `http://127.0.0.1:${canary.port}`;
  const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: Array.from({ length: 30 }, (_, i) => i / 7) }] }));
  const load = (url: string, connections: number) => closedLoop({ url, headers: { 'content-type': 'application/json' }, bodies: [body], connections, durationSeconds: SECONDS, warmupSeconds: 2 });
  const results: Record<string, ClosedLoopResult> = {};
  const light: Record<string, ClosedLoopResult> = {};
  // Throughput at CONNECTIONS; latency added per request at one connection, where no queue hides it.
  const measure = async (name: string, url: string) => {
    light[name] = await load(url, 1);
    results[name] = await load(url, CONNECTIONS);
  };

  progress('direct to one upstream');
  await measure('direct', `${stableUrl}/v2/models/fraud/infer`);

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
  const gateway = await startListening([CLI_ENTRY, 'gateway', '-c', configPath, '--grpc-port', '0'], 'httpPort', { SWITCHYARD_LOG_LEVEL: 'info' });
  progress('through the gateway (canary 80/20, metrics on)');
  await measure('gateway', `http://127.0.0.1:${gateway.port}/v2/models/fraud/infer`);
  await gateway.stop();

  if (nginxInstalled()) {
    const nginx = await startNginx([{ url: stableUrl, weight: 80 }, { url: canaryUrl, weight: 20 }]);
    progress('through nginx (1 worker, weights 80/20)');
    await measure('nginx', `http://127.0.0.1:${nginx.port}/v2/models/fraud/infer`);
    await nginx.stop();
  } else {
    progress('nginx is not installed (apt-get install nginx): skipping the comparison');
  }
  await stable.stop();
  await canary.stop();

  const rows = Object.entries(results).map(([name, r]) => [
    name, fmt(r.requestsPerSecond), fmt(r.latency.p50, 2), fmt(r.latency.p99, 2), fmt(light[name]!.latency.p50, 3), fmt(light[name]!.latency.p99, 3), JSON.stringify(r.errors),
  ]);
  const out = [
    `Machine: ${machine()}; ${SECONDS} s per run after 2 s warm-up; throughput at ${CONNECTIONS} connections, added latency at 1 connection.`,
    '',
    table(['path', `req/s @${CONNECTIONS}`, `p50 ms @${CONNECTIONS}`, `p99 ms @${CONNECTIONS}`, 'p50 ms @1', 'p99 ms @1', 'errors'], rows),
    '',
  ];
  const ratios: Record<string, number> = {
    gatewayOverDirect: results.gateway!.requestsPerSecond / results.direct!.requestsPerSecond,
    addedP50Ms: light.gateway!.latency.p50 - light.direct!.latency.p50,
  };
  if (results.nginx) ratios.gatewayOverNginx = results.gateway!.requestsPerSecond / results.nginx.requestsPerSecond;
  out.push(table(['figure', 'value', 'target'], [
    ['gateway / direct throughput', fmt(ratios.gatewayOverDirect!, 3), 'reported'],
    ['gateway / nginx throughput', ratios.gatewayOverNginx === undefined ? 'nginx not installed' : fmt(ratios.gatewayOverNginx, 3), '>= 0.5'],
    ['p50 added by the gateway (ms)', fmt(ratios.addedP50Ms!, 3), '< 1'],
  ]));
  return {
    name: 'gateway',
    title: 'Gateway: the cost of the proxy against direct calls and nginx',
    command: 'npm run bench:gateway',
    notes: 'Upstreams are two bare node:http servers (so the proxy is the bottleneck). The gateway route is a canary split 80/20 with metrics on; nginx runs one worker process with the same 80/20 weights and keep-alive upstreams.',
    markdown: out.join('\n'),
    data: { seconds: SECONDS, connections: CONNECTIONS, results, oneConnection: light, ratios },
  };
}

runIfMain(import.meta.url, run, USAGE);
