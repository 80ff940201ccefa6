/**
 * `npm run bench:faults`: resilience under a worker crash. Two worker processes behind one
 * backend, a gateway in front, closed-loop load on a route with and one without a warm
 * fallback cache; one worker is SIGKILLed at --kill-at and restarted at --restart-at.
 * Prints error rate, fallback share and p99 before, during and after; writes loadtest/reports/faults.json.
 */
import { parseArgs } from 'node:util';
import { runFaultScenario } from '../faults/scenario.js';
import { ensureDemoModels } from './demo-repository.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const USAGE = 'Usage: npm run bench:faults [-- --seconds 30 --kill-at 10 --restart-at 20 --connections 16]';
const OPTIONS = {
  seconds: { type: 'string', default: '30' }, 'kill-at': { type: 'string', default: '10' }, 'restart-at': { type: 'string', default: '20' },
  connections: { type: 'string', default: '16' },
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
  const markdown = [
    `Machine: ${machine()}. Worker 1 of 2 SIGKILLed at ${args['kill-at']} s, restarted at ${args['restart-at']} s; ${result.connections} connections, ${result.seconds} s.`,
    '',
    table(['route', 'phase', 'requests', 'failed', 'error rate', 'fallback share', 'p99 ms'], rows),
    '',
    `Requests the restarted worker served: ${result.restartedServed}.`,
  ].join('\n');
  return {
    name: 'faults',
    title: 'Faults: a worker killed and restarted under load',
    command: 'npm run bench:faults',
    notes: 'Two worker processes behind one backend and one gateway; closed-loop fraud traffic on two routes. plain: retries, circuit breaker and outlier ejection; cached: the same plus a warm fallback cache. The baseline is the "before" phase of the same run.',
    markdown,
    data: { ...result },
  };
}

runIfMain(import.meta.url, run, USAGE);
