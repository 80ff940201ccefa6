/**
 * `npm run bench:faults`: the gateway and workers under faults, in four parts (--only picks some):
 * - crash: two worker processes behind one backend, a gateway in front, closed-loop load on a
 *   route with and one without a warm fallback cache; one worker is SIGKILLed at --kill-at and
 *   restarted at --restart-at. Error rate, fallback share and p99 before, during and after.
 * - lifecycle: workers leaving as Kubernetes makes them leave (loadtest/faults/worker-lifecycle.ts):
 *   both workers of a pool replaced one by one, and SIGTERM to one of two; failed requests and
 *   p99 during each event.
 * - idle-canary: /readyz while a 0 % canary and an idle preview are down (./idle-canary.ts).
 * - grpc-flood: malformed HTTP/2 clients at a worker's and a gateway's gRPC listener; their
 *   open descriptors and a gRPC call after (loadtest/faults/grpc-flood.ts).
 * Writes loadtest/reports/faults.json.
 */
import { parseArgs } from 'node:util';
import { runGrpcFlood, SLACK, type FloodFigures } from '../faults/grpc-flood.js';
import { runFaultScenario } from '../faults/scenario.js';
import { runReplacement, runSigterm, type LifecycleResult } from '../faults/worker-lifecycle.js';
import { ensureDemoModels } from './demo-repository.js';
import { run as runIdleCanary } from './idle-canary.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const PARTS = ['crash', 'lifecycle', 'idle-canary', 'grpc-flood'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `Usage: npm run bench:faults [-- --only ${PARTS.join(',')} --seconds 30 --kill-at 10 --restart-at 20 --connections 16 --lifecycle-clients 8 --lifecycle-between 1000 --idle-seconds 10 --flood-clients 1000 --flood-parallel 50 --flood-watch 10000]`;
const OPTIONS = {
  // Comma-separated parts to run; all by default.
  only: { type: 'string', default: PARTS.join(',') },
  seconds: { type: 'string', default: '30' }, 'kill-at': { type: 'string', default: '10' }, 'restart-at': { type: 'string', default: '20' },
  connections: { type: 'string', default: '16' },
  // Keep-alive clients, and answers between two steps of a worker-lifecycle event.
  'lifecycle-clients': { type: 'string', default: '8' }, 'lifecycle-between': { type: 'string', default: '1000' },
  // Seconds of load per route while /readyz is polled.
  'idle-seconds': { type: 'string', default: '10' },
  // Malformed clients per server, opened this many at a time; ms to wait for the descriptors.
  'flood-clients': { type: 'string', default: '1000' }, 'flood-parallel': { type: 'string', default: '50' }, 'flood-watch': { type: 'string', default: '10000' },
} as const;
const progress = (line: string) => process.stderr.write(`[bench:faults] ${line}\n`);

type Args = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** One part's share of the section. */
interface PartResult {
  readonly notes: string;
  readonly markdown: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const RUN_PART: Record<Part, (args: Args, models: string) => Promise<PartResult>> = {
  crash: runCrash, lifecycle: runLifecycle, 'idle-canary': runIdle, 'grpc-flood': runFlood,
};

export async function run(argv: readonly string[]): Promise<BenchSection> {
  const args = parseArgs({ args: [...argv], options: OPTIONS }).values;
  const parts = args.only.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0 || parts.length === 0) throw new Error(`--only takes some of ${PARTS.join(', ')}; got ${args.only}`);
  progress(`machine: ${machine()}`);
  const models = await ensureDemoModels();
  const results: PartResult[] = [];
  for (const part of PARTS.filter((p) => parts.includes(p))) results.push(await RUN_PART[part](args, models));
  return {
    name: 'faults',
    title: 'Faults: workers crashing and leaving, idle canaries, malformed gRPC clients',
    command: 'npm run bench:faults',
    notes: results.map((r) => r.notes).join(' '),
    markdown: [`Machine: ${machine()}.`, ...results.map((r) => r.markdown)].join('\n\n'),
    data: Object.assign({ parts }, ...results.map((r) => r.data)) as Record<string, unknown>,
  };
}

async function runCrash(args: Args, models: string): Promise<PartResult> {
  const result = await runFaultScenario({
    models, seconds: Number(args.seconds), killAtSeconds: Number(args['kill-at']), restartAtSeconds: Number(args['restart-at']),
    connections: Number(args.connections), log: progress,
  });
  const rows: string[][] = [];
  for (const [route, phases] of Object.entries(result.routes)) {
    for (const [name, f] of Object.entries(phases)) {
      rows.push([route, name, String(f.requests), String(f.failures), `${fmt(f.errorRate * 100, 2)} %`, `${fmt(f.fallbackShare * 100, 2)} %`, fmt(f.p99Ms)]);
    }
  }
  return {
    notes: 'Crash: two worker processes behind one backend and one gateway; closed-loop fraud traffic on two routes. plain: retries, circuit breaker and outlier ejection; cached: the same plus a warm fallback cache. The baseline is the "before" phase of the same run.',
    markdown: [
      `Worker 1 of 2 SIGKILLed at ${args['kill-at']} s, restarted at ${args['restart-at']} s; ${result.connections} connections, ${result.seconds} s.`,
      '',
      table(['route', 'phase', 'requests', 'failed', 'error rate', 'fallback share', 'p99 ms'], rows),
      '',
      `Requests the restarted worker served: ${result.restartedServed}.`,
    ].join('\n'),
    data: { ...result },
  };
}

async function runLifecycle(args: Args, models: string): Promise<PartResult> {
  const lifecycle = { clients: Number(args['lifecycle-clients']), requestsBetween: Number(args['lifecycle-between']), models, log: progress };
  progress('worker lifecycle: replacing both workers of the pool one by one (resilience: {})');
  const replacement = await runReplacement({ ...lifecycle, resilience: '{}' });
  progress('worker lifecycle: SIGTERM to one of two workers (resilience: retries only)');
  const sigterm = await runSigterm({ ...lifecycle, resilience: '{ retries: { attempts: 2 } }' });
  return {
    notes: 'Workers leaving: iris traffic; "replace" starts a new worker, reloads the gateway with it, then removes the old one from the config file and SIGTERMs it at once (the reload may land after the SIGTERM); "SIGTERM" leaves the worker in the config. "During" is from the first step to the last worker exit.',
    markdown: [
      `Workers leaving, ${lifecycle.clients} keep-alive clients, ${lifecycle.requestsBetween} answers between two steps:`,
      '',
      table(['event', 'requests during', 'failed during', 'p99 ms during', 'requests in all', 'failed in all', 'p99 ms in all', 'event s'], [
        lifecycleRow('replace both workers one by one (resilience: {})', replacement),
        lifecycleRow('SIGTERM 1 of 2 workers (retries only)', sigterm),
      ]),
    ].join('\n'),
    data: { replacement, sigterm },
  };
}

function lifecycleRow(event: string, r: LifecycleResult): string[] {
  return [event, String(r.during.requests), String(r.during.failed), fmt(r.during.p99Ms), String(r.all.requests), String(r.all.failed), fmt(r.all.p99Ms), fmt((r.eventEnd - r.eventAt) / 1000, 1)];
}

async function runIdle(args: Args): Promise<PartResult> {
  progress(`idle canary: ${args['idle-seconds']} s per route, /readyz polled every 100 ms`);
  const section = await runIdleCanary(['--seconds', args['idle-seconds']]);
  return {
    notes: `Idle canary: ${section.notes.replace(/^./, (c) => c.toLowerCase())}`,
    markdown: `Backends without live traffic are down (\`${section.command}\` alone):\n\n${section.markdown.replace(/^Machine: [^\n]*\. /, '')}`,
    data: { idleCanary: section.data },
  };
}

async function runFlood(args: Args, models: string): Promise<PartResult> {
  const watchMs = Number(args['flood-watch']);
  const result = await runGrpcFlood({ models, clients: Number(args['flood-clients']), parallel: Number(args['flood-parallel']), watchMs, log: progress });
  const row = (server: string, f: FloodFigures): string[] => [
    server, String(f.clients), String(f.floodMs), String(f.baseline), String(f.afterFlood), String(f.peak),
    f.backMs === undefined ? `not within ${watchMs}` : String(f.backMs), String(f.last), String(f.closedByServer), `${f.badFrameGoaway} of ${f.badFrame}`, f.callAfter,
  ];
  return {
    notes: `gRPC flood: a worker process and a gateway process routing to it; malformed HTTP/2 clients on loopback (bad SETTINGS frame then hang up, the same but staying, non-HTTP/2 bytes, HTTP/1.1), ${args['flood-parallel']} at a time. Descriptors are /proc/PID/fd, read every 50 ms after the flood until at most baseline + ${SLACK}; the baseline includes one open gRPC channel. The call after is ModelReady over that channel.`,
    markdown: [
      'Malformed gRPC clients (descriptors of the server process):',
      '',
      table(['server', 'clients', 'flood ms', 'before', 'right after', 'peak', `ms to ≤ before + ${SLACK}`, 'last', 'closed by server', 'GOAWAY (bad frame)', 'call after'], [
        row('worker', result.worker), row('gateway', result.gateway),
      ]),
    ].join('\n'),
    data: { grpcFlood: result },
  };
}

runIfMain(import.meta.url, run, USAGE);
