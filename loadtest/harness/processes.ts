import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WORKER_NODE_FLAGS } from '../../worker/node-flags.js';

/** The compiled CLI, next to this file in dist/. */
export const CLI_ENTRY = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** node's arguments for `switchyard worker ARGS`, with the flags every launcher gives a worker. */
export function workerArgs(args: readonly string[]): string[] {
  return [...WORKER_NODE_FLAGS, CLI_ENTRY, 'worker', ...args];
}

export interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  /** The whole listening line (other ports it printed). */
  readonly line: Readonly<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts a Node process that prints a JSON log line with `portField` once it listens, and
 * resolves with that port. `stop` sends SIGTERM and waits for the exit.
 */
export function startListening(args: readonly string[], portField: string, env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SWITCHYARD_LOG_LEVEL: 'info', ...env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof parsed[portField] === 'number' && parsed.event === 'listening') {
        resolve({
          child,
          port: parsed[portField] as number,
          line: parsed,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
  });
}
