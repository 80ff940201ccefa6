import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The compiled CLI entry (tests run from dist/, next to dist/cli/main.js). */
export const CLI_PATH = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

export interface SpawnedCli {
  readonly child: ChildProcess;
  /** Every stdout line seen so far, parsed as JSON when it is JSON. */
  readonly lines: unknown[];
  /** Resolves with the first stdout line (parsed) that `match` accepts. */
  waitForLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

export function spawnCli(args: readonly string[], env: Record<string, string> = {}): SpawnedCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: unknown[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // plain text line
    }
    lines.push(parsed);
    if (typeof parsed !== 'object' || parsed === null) return;
    for (const w of [...waiters]) {
      if (w.match(parsed as Record<string, unknown>)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed as Record<string, unknown>);
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitForLine(match) {
      const seen = lines.find((l) => typeof l === 'object' && l !== null && match(l as Record<string, unknown>));
      if (seen) return Promise.resolve(seen as Record<string, unknown>);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`process exited (${code}) before the line appeared; stderr: ${stderr}`)));
      });
    },
  };
}

/** Polls `probe` until it returns true; for waiting on a state another process reports. */
export async function until(probe: () => Promise<boolean>, what: string, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await probe()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`gave up waiting for ${what}`);
}
