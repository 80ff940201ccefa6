#!/usr/bin/env node
import { createRequire } from 'node:module';
import { setLogFormat } from '../observability/logger.js';
import { AdminCallError } from './admin-client.js';
import type { Command } from './command.js';
import { CliError, UsageError, wantsHelp } from './command.js';
import { commandTable } from './command-table.js';
import { GLOBAL_OPTIONS_USAGE, takeGlobalOptions } from './global-options.js';
import { exitQuietlyOnClosedPipe, isUserFacingSystemError } from './process-errors.js';

function topUsage(): string {
  const width = Math.max(...commandTable.map((c) => c.name.length));
  const lines = commandTable.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: switchyard <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    GLOBAL_OPTIONS_USAGE,
    '',
    'Run `switchyard <command> --help` for the options of one command.',
  ].join('\n');
}

/** The package's version, from the package.json above dist/ (the image ships it there too). */
function version(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = takeGlobalOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`switchyard: ${err.message}\n`);
    return 2;
  }
  if (parsed.logFormat !== undefined) setLogFormat(parsed.logFormat);
  const [name, ...rest] = parsed.rest;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`switchyard ${version()}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topUsage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const entry = commandTable.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`switchyard: unknown command '${name}'\n\n${topUsage()}\n`);
    return 2;
  }
  const command: Command = await entry.load();
  if (wantsHelp(rest)) {
    process.stdout.write(command.usage.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`switchyard ${name}: ${err.message}\n\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    // The user's mistake or the world's (a missing file, a gateway not running): one line, no stack.
    if (err instanceof AdminCallError || err instanceof CliError || isUserFacingSystemError(err)) {
      process.stderr.write(`switchyard ${name}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}

exitQuietlyOnClosedPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A bug: the stack is what the report needs.
    process.stderr.write(`switchyard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
