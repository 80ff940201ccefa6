/**
 * `npm run bench:faults`: resilience under a worker crash. Two worker processes behind one
 * backend, a gateway in front, closed-loop load on a route with and one without a warm
 * fallback cache; one worker is SIGKILLed at --kill-at and restarted at --restart-at.
 * Prints error rate, fallback share and p99 before, during and after; writes loadtest/reports/faults.json.
 */
import { parseArgs } from 'node:util';
import { runFaultScenario } from '../faults/scenario.js';
import { ensureDemoModels } from './demo-repository.js';
import { fmt, machine, saveReport, table } from './report.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' }, 'kill-at': { type: 'string', default: '10' }, 'restart-at': { type: 'string', default: '20' },
    connections: { type: 'string', default: '16' }, help: { type: 'boolean' },
  },
});
if (args.help) {
  process.stdout.write('Usage: npm run bench:faults [-- --seconds 30 --kill-at 10 --restart-at 20 --connections 16]\n');
  process.exit(0);
}
const progress = (line: string) => process.stderr.write(`[bench:faults] ${line}\n`);

async function main(): Promise<void> {
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
  process.stdout.write(`\nWorker 1 of 2 SIGKILLed at ${args['kill-at']} s, restarted at ${args['restart-at']} s; ${result.connections} connections, ${result.seconds} s.\n`);
  process.stdout.write('plain: retries, breaker, outlier ejection; cached: the same plus a warm fallback cache.\n\n');
  process.stdout.write(table(['route', 'phase', 'requests', 'failed', 'error rate', 'fallback share', 'p99 ms'], rows) + '\n');
  process.stdout.write(`\nrequests the restarted worker served: ${result.restartedServed}\n`);
  progress(`report: ${await saveReport('faults', result)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench:faults] ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
