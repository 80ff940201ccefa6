import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LOG_FORMAT_ENV, prettifyJsonLine } from '../observability/log-format.js';
import { logFormat, type Logger } from '../observability/logger.js';
import { WORKER_NODE_FLAGS } from '../worker/node-flags.js';

/** The compiled CLI this process runs from; workers are the same program. */
const CLI_ENTRY = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** A worker that has not exited this long after SIGTERM is killed, ms (its own drain is bounded by requests in flight). */
export const STOP_DEADLINE_MS = 35_000;

/** Children still running; they are sent SIGTERM if this process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGTERM');
});

/** Restart backoff after a crash: 0.5 s doubling to 30 s, reset after 60 s of uptime. */
export const RESTART_BACKOFF = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 } as const;

export interface WorkerProcessOptions {
  readonly pool: string;
  readonly index: number;
  readonly modelsDir: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** The pool's device and GPU policy, for models whose model.yaml names none. */
  readonly device: string;
  readonly onGpuUnavailable: 'fallback' | 'fail';
  readonly log: Logger;
}

/**
 * One supervised `switchyard worker` child. Its JSON log lines pass through to this process's
 * stdout (rewritten as pretty lines when this process logs pretty); the `listening` line tells us its port. A crash is restarted with backoff (on the
 * same port once one is known, so the gateway's endpoint stays valid).
 */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs: number = RESTART_BACKOFF.initialMs;
  private port: number;
  private grpcPort: number;
  private startedAt = 0;

  constructor(private readonly options: WorkerProcessOptions) {
    this.port = options.httpPort;
    this.grpcPort = options.grpcPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** host:port of the worker's gRPC listener (known once it reported listening). */
  get grpcAddress(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  /** Starts the worker and resolves once it reports listening (models loaded and warm). */
  start(): Promise<string> {
    return new Promise((resolve, reject) => {
      const { pool, index, modelsDir } = this.options;
      const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, CLI_ENTRY, 'worker', '--models', modelsDir, '--http-port', String(this.port), '--grpc-port', String(this.grpcPort), '--host', '127.0.0.1',
        '--device', this.options.device, '--on-gpu-unavailable', this.options.onGpuUnavailable], {
        stdio: ['ignore', 'pipe', 'inherit'],
        // JSON always: this process reads the `listening` line, and re-renders lines as its own format.
        env: { ...process.env, [LOG_FORMAT_ENV]: 'json' },
        // Its own process group: Ctrl-C in a terminal reaches `up` alone, which drains the
        // gateway first and only then stops the workers.
        detached: true,
      });
      this.child = child;
      live.add(child);
      child.once('error', (err) => {
        live.delete(child);
        if (!listening) reject(new Error(`worker ${pool}#${index} could not be started: ${err.message}`));
      });
      this.startedAt = Date.now();
      let listening = false;
      const pretty = logFormat() === 'pretty';
      createInterface({ input: child.stdout! }).on('line', (line) => {
        process.stdout.write((pretty ? prettifyJsonLine(line) : line) + '\n');
        if (listening) return;
        try {
          const parsed = JSON.parse(line) as { event?: string; httpPort?: number; grpcPort?: number };
          if (parsed.event === 'listening' && typeof parsed.httpPort === 'number') {
            listening = true;
            // A restart reuses both ports, so the gateway's endpoint stays valid.
            this.port = parsed.httpPort;
            if (typeof parsed.grpcPort === 'number') this.grpcPort = parsed.grpcPort;
            resolve(this.url);
          }
        } catch {
          // not a JSON line
        }
      });
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (!listening) {
          reject(new Error(`worker ${pool}#${index} exited (${signal ?? code}) before it was ready; see its log above`));
          return;
        }
        if (this.stopping) return;
        this.options.log.error({ pool, index, code, signal }, 'worker exited; restarting');
        this.scheduleRestart();
      });
    });
  }

  private scheduleRestart(): void {
    if (Date.now() - this.startedAt > RESTART_BACKOFF.resetAfterMs) this.backoffMs = RESTART_BACKOFF.initialMs;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, RESTART_BACKOFF.maxMs);
    setTimeout(() => {
      if (this.stopping) return;
      this.start().then(
        (url) => this.options.log.info({ pool: this.options.pool, index: this.options.index, url }, 'worker restarted'),
        (err: unknown) => {
          this.options.log.error({ err, pool: this.options.pool }, 'worker restart failed');
          this.scheduleRestart();
        },
      );
    }, delay).unref();
  }

  /** No more restarts from now on (the stack is shutting down). */
  beginStop(): void {
    this.stopping = true;
  }

  /** SIGTERM: the worker drains its in-flight requests and exits 0; SIGKILL past the deadline. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const deadline = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    await exited;
    clearTimeout(deadline);
  }
}
