import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '../../loadtest/harness/free-port.js';

/**
 * A redis-server of the test's own, on a free port, for tests that stop, freeze or kill their
 * Redis; the shared one other tests use is never touched. No persistence.
 */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** SIGSTOP: connections stay open, commands sent meanwhile wait in the socket until `thaw`. */
  freeze(): void;
  /** SIGCONT: Redis runs what was sent while it was frozen, in order. */
  thaw(): void;
  /** SIGKILL, once; resolves when the process is gone. */
  kill(): Promise<void>;
}

/** Starts redis-server on `port` (default: a free one); resolves once it accepts connections. */
export async function startPrivateRedis(port?: number): Promise<PrivateRedis> {
  const chosen = port ?? await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  child.stdout!.on('data', (c: Buffer) => (seen += c.toString()));
  while (!seen.includes('Ready to accept connections')) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${seen}`);
    await once(child.stdout!, 'data');
  }
  const exited = once(child, 'exit');
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
