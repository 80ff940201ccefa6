import { parseArgs } from 'node:util';
import type { BackendReport } from '../../gateway/health/backend-report.js';
import { ADMIN_OPTIONS_USAGE, adminClient } from '../admin-client.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import type { CommandOutput } from './config.js';

const USAGE = `Usage: switchyard backends [--json] [--admin URL] [--token TOKEN]

Reads a running gateway's GET /admin/backends: each backend, whether it takes live traffic,
its circuit breaker, and each endpoint's state (up, down, ejected, unknown) with the reason
and since when. Backend health never fails the gateway's /readyz: this is where it shows.

Options:
  --json         print the API's JSON instead of a table
${ADMIN_OPTIONS_USAGE}
  -h, --help
`;

export function createBackendsCommand(output: CommandOutput = { stdout: process.stdout }): Command {
  return {
    name: 'backends',
    summary: 'backend and endpoint health from a running gateway: state, reason, since when, live traffic',
    usage: USAGE,
    async run(argv) {
      const { positionals, values } = parseArgs({
        args: argv, allowPositionals: true,
        options: { json: { type: 'boolean', default: false }, admin: { type: 'string' }, token: { type: 'string' } },
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      const body = (await adminClient(values).get('/admin/backends')) as { backends: BackendReport[] };
      output.stdout.write(values.json ? `${JSON.stringify(body, null, 2)}\n` : formatBackends(body.backends));
      return 0;
    },
  };
}

/** One row per endpoint, under its backend's name, in aligned columns. */
export function formatBackends(backends: readonly BackendReport[]): string {
  const rows = [['BACKEND', 'LIVE', 'BREAKER', 'ENDPOINT', 'STATE', 'SINCE', 'REASON']];
  for (const b of backends) {
    const first = [b.name, b.live ? 'yes' : 'no', b.breaker ?? '-'];
    if (b.endpoints.length === 0) rows.push([...first, '-', '-', '-', '']);
    b.endpoints.forEach((e, i) => rows.push([...(i === 0 ? first : ['', '', '']), e.origin, e.state, e.since ?? '-', e.reason ?? '']));
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export const backendsCommand: Command = createBackendsCommand();
