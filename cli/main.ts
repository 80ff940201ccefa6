#!/usr/bin/env node
import { AdminCallError } from './admin-client.js';
import type { Command } from './command.js';
import { UsageError, wantsHelp } from './command.js';
import { commands } from './commands/index.js';

function topUsage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: switchyard <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `switchyard <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topUsage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`switchyard: unknown command '${name}'\n\n${topUsage()}\n`);
    return 2;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(command.usage.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`switchyard ${name}: ${err.message}\n\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`switchyard ${name}: ${err.message}\n\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    if (err instanceof AdminCallError) {
      process.stderr.write(`switchyard ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`switchyard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
