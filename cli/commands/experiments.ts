import { parseArgs } from 'node:util';
import type { ExperimentListing, ExperimentReport } from '../../gateway/experiments/service.js';
import { ADMIN_OPTIONS_USAGE, adminClient } from '../admin-client.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { formatListing, formatResults } from '../experiments-table.js';
import type { CommandOutput } from './config.js';

const USAGE = `Usage: switchyard experiments list [--json] [--admin URL] [--token TOKEN]
       switchyard experiments results ID [--json] [--admin URL] [--token TOKEN]
       switchyard experiments stop ID
       switchyard experiments export ID > ID.json

Reads a running gateway's experiments API (the admin listener). list: every experiment in
the config with its variants, weights and units so far. results: per metric and variant n,
mean, sd and interval; treatment against control with difference, lift, test and p-value;
the sample-ratio check; and the recommendation. stop: no more exposure counting (outcomes
of units already in the experiment are still accepted). export: every unit as JSON.

Options:
  --json         print the API's JSON instead of a table
${ADMIN_OPTIONS_USAGE}
  -h, --help
`;

export function createExperimentsCommand(output: CommandOutput = { stdout: process.stdout }): Command {
  return {
    name: 'experiments',
    summary: 'experiment results from a running gateway: list, results ID, stop ID, export ID',
    usage: USAGE,
    async run(argv) {
      const { positionals, values } = parseArgs({
        args: argv, allowPositionals: true,
        options: { json: { type: 'boolean', default: false }, admin: { type: 'string' }, token: { type: 'string' } },
      });
      const [action, id, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
      const client = adminClient(values);
      const write = (text: string): void => void output.stdout.write(text);
      const needId = (): string => {
        if (id === undefined) throw new UsageError(`missing the experiment ID: switchyard experiments ${action} ID`);
        return encodeURIComponent(id);
      };
      switch (action) {
        case 'list': {
          if (id !== undefined) throw new UsageError(`unexpected argument '${id}'; list takes no ID`);
          const { experiments } = (await client.get('/v1/experiments')) as { experiments: ExperimentListing[] };
          write(values.json ? `${JSON.stringify({ experiments }, null, 2)}\n` : formatListing(experiments));
          return 0;
        }
        case 'results': {
          const report = (await client.get(`/v1/experiments/${needId()}/results`)) as ExperimentReport;
          write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatResults(report));
          return 0;
        }
        case 'stop':
          await client.post(`/v1/experiments/${needId()}/stop`, {});
          write(`experiment ${id} stopped: no more exposures are counted\n`);
          return 0;
        case 'export':
          write(`${JSON.stringify(await client.get(`/v1/experiments/${needId()}/export`), null, 2)}\n`);
          return 0;
        default:
          throw new UsageError(action === undefined ? 'missing the action: list, results, stop or export' : `unknown action '${action}'; use list, results, stop or export`);
      }
    },
  };
}

export const experimentsCommand: Command = createExperimentsCommand();
