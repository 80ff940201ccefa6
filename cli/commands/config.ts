import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { formatConfigError } from '../../gateway/config/errors.js';
import { loadConfig } from '../../gateway/config/load.js';
import { summarizeConfig } from '../../gateway/config/summary.js';

const USAGE = `Usage: switchyard config check FILE [--json]

Validates a gateway config the way the gateway loads it: YAML syntax, the schema, then
references and cross-field rules. Prints every error as FILE:LINE:COLUMN: PATH: MESSAGE and
exits 1, or prints a summary of routes, backends and pools and exits 0. Warnings are printed
either way and do not change the exit code.

Options:
  --json   print {"ok", "errors", "warnings", "summary"} as JSON instead
  -h, --help
`;

/** Where the command writes; the real process streams unless a test captures them. */
export interface CommandOutput {
  readonly stdout: { write(text: string): unknown };
}

export function createConfigCommand(output: CommandOutput = { stdout: process.stdout }): Command {
  return {
    name: 'config',
    summary: 'validate a config file: every error with file:line:column',
    usage: USAGE,
    async run(argv) {
      const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
      const [action, file, ...extra] = positionals;
      if (action !== 'check') throw new UsageError(action === undefined ? 'missing the action: check' : `unknown action '${action}'; the only action is check`);
      if (file === undefined) throw new UsageError('missing the config FILE to check');
      if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'; check takes one FILE`);

      const result = await loadConfig(file);
      const summary = result.ok ? summarizeConfig(result.config) : undefined;
      const write = (text: string): void => void output.stdout.write(text);
      if (values.json) {
        write(`${JSON.stringify({ ok: result.ok, errors: result.ok ? [] : result.errors, warnings: result.warnings, summary }, null, 2)}\n`);
        return result.ok ? 0 : 1;
      }
      const lines = [
        ...(result.ok ? [] : result.errors.map((e) => formatConfigError(e))),
        ...result.warnings.map((w) => formatConfigError(w, 'warning')),
      ];
      if (!result.ok) lines.push(`${file}: ${result.errors.length === 1 ? '1 error' : `${result.errors.length} errors`}; the config was not loaded`);
      else lines.push(`${file} is valid. ${summary}`);
      write(`${lines.join('\n')}\n`);
      return result.ok ? 0 : 1;
    },
  };
}

/** `switchyard config check FILE`. */
export const configCommand: Command = createConfigCommand();
