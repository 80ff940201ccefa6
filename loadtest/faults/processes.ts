import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLI_ENTRY } from '../harness/processes.js';
import { freePort } from '../harness/free-port.js';
import { WORKER_NODE_FLAGS } from '../../worker/node-flags.js';

/** A process of the CLI that printed its `listening` line, with what the line said. */
export interface ListeningProcess {
  readonly child: ChildProcess;
  readonly line: Record<string, unknown>;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
}

/** Runs `node NODE_FLAGS switchyard ARGS` and resolves once it logs `event: listening`. */
export function startCli(args: readonly string[], nodeFlags: readonly string[] = []): Promise<ListeningProcess> {
  const child = spawn(process.execPath, [...nodeFlags, CLI_ENTRY, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHYARD_LOG_LEVEL: 'info' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`switchyard ${args.join(' ')} exited (${code}) before listening: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (line.event === 'listening') resolve({ child, line, exited });
      } catch {
        // not a log line
      }
    });
  });
}

/** One worker process on fixed ports, so a restarted one is found where the gateway expects it. */
export class WorkerProcess {
  private current: ListeningProcess | undefined;

  private constructor(readonly models: string, readonly httpPort: number, readonly grpcPort: number) {}

  static async start(models: string): Promise<WorkerProcess> {
    const w = new WorkerProcess(models, await freePort(), await freePort());
    await w.restart();
    return w;
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  async restart(): Promise<void> {
    this.current = await startCli(['worker', '--models', this.models, '--host', '127.0.0.1', '--http-port', String(this.httpPort), '--grpc-port', String(this.grpcPort)], WORKER_NODE_FLAGS);
  }

  /** SIGKILL: the process dies mid-request, as a crash or an OOM kill does. */
  async kill(): Promise<void> {
    const p = this.current;
    this.current = undefined;
    if (p === undefined) return;
    p.child.kill('SIGKILL');
    await p.exited;
  }

  /** Inference requests this process has answered (its own metrics, so a restarted one starts at 0). */
  async served(): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) if (line.startsWith('switchyard_worker_requests_total{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    return sum;
  }

  async stop(): Promise<void> {
    const p = this.current;
    this.current = undefined;
    if (p === undefined) return;
    p.child.kill('SIGTERM');
    await p.exited;
  }
}
