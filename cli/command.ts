/** One `switchyard <name>` subcommand. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  /** One line for `switchyard --help`. */
  readonly summary: string;
  /** Full text for `switchyard <name> --help`. */
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/**
 * A mistake in what the user asked for that is not about the command line (a folder that does
 * not exist, a file that is not a model): printed as one line, exit code 1.
 */
export class CliError extends Error {}
