import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';

/** What installs the browser the dashboard tests drive (Debian's package, as .ci/run does). */
export const CHROMIUM_INSTALL = 'apt-get install chromium';
/** Names Chromium goes by on PATH: Debian's package, then Ubuntu's and others'. */
const NAMES = ['chromium', 'chromium-browser'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium to launch: SWITCHYARD_CHROMIUM when set (and then only that file, so a wrong
 * value is reported rather than papered over), otherwise the first of NAMES on PATH.
 */
export function locateChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.SWITCHYARD_CHROMIUM;
  if (chosen !== undefined && chosen !== '') return executable(chosen) ? chosen : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const name of NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** CI=true (or any value but empty, 0 and false), as CI services set it. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

export interface BrowserSuite {
  /** The executable to pass to playwright's launch(); '' when there is none (the suite is skipped). */
  readonly executablePath: string;
  /** node:test's skip option for the suite: the reason when Chromium is absent, else false. */
  readonly skip: string | false;
}

/**
 * Decides whether a browser suite runs. Without Chromium the suite is skipped and says so on
 * stderr, naming the install command, so `npm test` passes on a fresh machine; under CI a
 * missing browser is a failing test instead, because CI (.ci/run) installs it and a silent
 * skip there would hide the dashboard's tests for good.
 */
export function browserSuite(suite: string, env: NodeJS.ProcessEnv = process.env): BrowserSuite {
  const found = locateChromium(env);
  if (found !== undefined) return { executablePath: found, skip: false };
  const where = env.SWITCHYARD_CHROMIUM ? `at SWITCHYARD_CHROMIUM=${env.SWITCHYARD_CHROMIUM}` : `on PATH (${NAMES.join(', ')})`;
  const reason = `Chromium not found ${where}: ${CHROMIUM_INSTALL} (or set SWITCHYARD_CHROMIUM) to run ${suite}`;
  if (inCi(env)) {
    test(`${suite}: Chromium is installed (CI)`, () => {
      throw new Error(`${reason}; CI must run the browser tests`);
    });
  } else {
    process.stderr.write(`\n!!! SKIPPED ${suite}: ${reason}\n\n`);
  }
  return { executablePath: '', skip: reason };
}
