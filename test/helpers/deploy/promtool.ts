import { spawnSync } from 'node:child_process';

/** How CI and a developer get promtool (Debian's prometheus package; .ci/run installs it). */
export const PROMTOOL_INSTALL = 'apt-get install -y prometheus';

/** Whether promtool is on the PATH. */
function promtoolInstalled(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The reason to skip a promtool test, or undefined when promtool is there. Under CI=true a
 * missing promtool throws instead: CI installs it, so its absence is a broken set-up, not a skip.
 */
export function promtoolSkipReason(): string | undefined {
  if (promtoolInstalled()) return undefined;
  const message = `promtool is not installed (${PROMTOOL_INSTALL})`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI must install it (.ci/run)`);
  process.stderr.write(`\n!! SKIPPING promtool tests: ${message}\n\n`);
  return message;
}

/** Runs promtool; returns its exit status and output (stdout and stderr together). */
export function promtool(args: readonly string[], input?: string): { status: number; output: string } {
  const result = spawnSync('promtool', args, { input, encoding: 'utf8' });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

