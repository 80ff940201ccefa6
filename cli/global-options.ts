import { isLogFormat, LOG_FORMATS, LOG_FORMAT_ENV, type LogFormat } from '../observability/log-format.js';
import { UsageError } from './command.js';

export const GLOBAL_OPTIONS_USAGE = `Global options (every command):
  --log-format F   json or pretty (default $${LOG_FORMAT_ENV}, else pretty on a terminal, json otherwise)
  -V, --version    print the version and exit`;

export interface GlobalOptions {
  readonly logFormat?: LogFormat;
  /** The arguments with the global options taken out. */
  readonly rest: string[];
}

/**
 * Takes `--log-format F` / `--log-format=F` out of the arguments wherever it stands (before or
 * after the command name), up to a `--` that ends the options.
 */
export function takeGlobalOptions(argv: readonly string[]): GlobalOptions {
  const rest: string[] = [];
  let logFormat: LogFormat | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    let value: string | undefined;
    if (arg === '--log-format') value = argv[++i] ?? '';
    else if (arg.startsWith('--log-format=')) value = arg.slice('--log-format='.length);
    else {
      rest.push(arg);
      continue;
    }
    if (!isLogFormat(value)) throw new UsageError(`--log-format: expected ${LOG_FORMATS.join(' or ')}, received '${value}'`);
    logFormat = value;
  }
  return { logFormat, rest };
}
