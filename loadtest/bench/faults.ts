/**
 * `npm run bench:faults`: resilience under a worker crash. Two worker processes behind one
 * backend, a gateway in front, closed-loop load on a route with and one without a warm
 * fallback cache; one worker is SIGKILLed at --kill-at and restarted at --restart-at.
 * Prints error rate, fallback share and p99 before, during and after. Then workers leaving
 * as Kubernetes makes them leave (loadtest/faults/worker-lifecycle.ts): both workers of a pool
 * replaced one by one, and SIGTERM to one of two; failed requests and p99 during each event.
 * Writes loadtest/reports/faults.json.
 */
import { parseArgs } from 'node:util';
import { runFaultScenario } from '../faults/scenario.js';
import { runReplacement, runSigterm, type LifecycleResult } from '../faults/worker-lifecycle.js';
import { ensureDemoModels } from './demo-repository.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const USAGE = 'Usage: npm run bench:faults [-- --seconds 30 --kill-at 10 --restart-at 20 --connections 16 --lifecycle-clients 8 --lifecycle-between 1000]';
const OPTIONS = {
  seconds: { type: 'string', default: '30' }, 'kill-at': { type: 'string', default: '10' }, 'restart-at': { type: 'string', default: '20' },
  connections: { type: 'string', default: '16' },
  // Keep-alive clients, and answers between two steps of a worker-lifecycle event.
  'lifecycle-clients': { type: 'string', default: '8' }, 'lifecycle-between': { type: 'string', default: '1000' },
} as const;
const progress = (line: string) => process.stderr.write(`[bench:faults] ${line}\n`);

export async function run(argv: readonly string[]): Promise<BenchSection> {
  const args = parseArgs({ args: [...argv], options: OPTIONS }).values;
  progress(`machine: ${machine()}`);
  const models = await ensureDemoModels();
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
  const lifecycle = { clients: Number(args['lifecycle-clients']), requestsBetween: Number(args['lifecycle-between']), models, log: progress };
  progress('worker lifecycle: replacing both workers of the pool one by one (resilience: {})');
  const replacement = await runReplacement({ ...lifecycle, resilience: '{}' });
  progress('worker lifecycle: SIGTERM to one of two workers (resilience: retries only)');
  const sigterm = await runSigterm({ ...lifecycle, resilience: '{ retries: { attempts: 2 } }' });
  const markdown = [
    `Machine: ${machine()}. Worker 1 of 2 SIGKILLed at ${args['kill-at']} s, restarted at ${args['restart-at']} s; ${result.connections} connections, ${result.seconds} s.`,
    '',
    table(['route', 'phase', 'requests', 'failed', 'error rate', 'fallback share', 'p99 ms'], rows),
    '',
    `Requests the restarted worker served: ${result.restartedServed}.`,
    '',
    `Workers leaving, ${lifecycle.clients} keep-alive clients, ${lifecycle.requestsBetween} answers between two steps:`,
    '',
    table(['event', 'requests during', 'failed during', 'p99 ms during', 'requests in all', 'failed in all', 'p99 ms in all', 'event s'], [
      lifecycleRow('replace both workers one by one (resilience: {})', replacement),
      lifecycleRow('SIGTERM 1 of 2 workers (retries only)', sigterm),
    ]),
  ].join('\n');
  return {
    name: 'faults',
    title: 'Faults: a worker killed and restarted under load',
    command: 'npm run bench:faults',
    notes: 'Two worker processes behind one backend and one gateway; closed-loop fraud traffic on two routes. plain: retries, circuit breaker and outlier ejection; cached: the same plus a warm fallback cache. The baseline is the "before" phase of the same run. Workers leaving: iris traffic; "replace" starts a new worker, reloads the gateway with it, then removes the old one from the config file and SIGTERMs it at once (the reload may land after the SIGTERM); "SIGTERM" leaves the worker in the config. "During" is from the first step to the last worker exit.',
    markdown,
    data: { ...result, replacement, sigterm },
  };
}

function lifecycleRow(event: string, r: LifecycleResult): string[] {
  return [event, String(r.during.requests), String(r.during.failed), fmt(r.during.p99Ms), String(r.all.requests), String(r.all.failed), fmt(r.all.p99Ms), fmt((r.eventEnd - r.eventAt) / 1000, 1)];
}

runIfMain(import.meta.url, run, USAGE);
