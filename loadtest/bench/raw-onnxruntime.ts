import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { startThread } from '../../worker/runtime/thread-file.js';

export interface RawPoint {
  readonly batch: number;
  readonly rowsPerSecond: number;
  readonly msPerBatch: number;
}

export interface RawInput {
  readonly name: string;
  readonly rowShape: readonly number[];
  /** The input's element type: float32 (default), or uint8 (bench-cnn's pixels). */
  readonly type?: 'float32' | 'uint8';
}

/** How the cores are given to onnxruntime: `sessions` sessions at once, each with `intraOpThreads` threads. */
export interface RawLayout {
  readonly sessions: number;
  readonly intraOpThreads: number;
}

export function layoutName(layout: RawLayout): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(layout.sessions, 'session')} x ${plural(layout.intraOpThreads, 'thread')}`;
}

/** One onnxruntime session, opened with the options the worker uses, measured batch by batch. */
export class RawSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async open(modelPath: string, intraOpThreads: number): Promise<RawSession> {
    return new RawSession(await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      // As the worker runs its sessions (model.yaml threads.spinning defaults to false).
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    }));
  }

  /** Runs one input of shape [batch, ...rowShape], filled with a fixed pattern, for `seconds` after one unmeasured run. */
  async measure(input: RawInput, batch: number, seconds: number): Promise<RawPoint> {
    const rowSize = input.rowShape.reduce((a, b) => a * b, 1);
    const dims = [batch, ...input.rowShape];
    const tensor = input.type === 'uint8'
      ? new ort.Tensor('uint8', new Uint8Array(batch * rowSize).map((_, i) => (i * 7919) % 256), dims)
      : new ort.Tensor('float32', new Float32Array(batch * rowSize).map((_, i) => ((i * 7919) % 1000) / 1000), dims);
    const feeds = { [input.name]: tensor };
    await this.session.run(feeds);
    let runs = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      await this.session.run(feeds);
      runs++;
    }
    const elapsed = (performance.now() - started) / 1000;
    return { batch, rowsPerSecond: (runs * batch) / elapsed, msPerBatch: (elapsed * 1000) / runs };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** The ceiling: onnxruntime's own throughput in this process, no server, no thread hop. */
export async function rawThroughput(
  modelPath: string,
  input: RawInput,
  batches: readonly number[],
  options: { intraOpThreads: number; seconds: number },
): Promise<RawPoint[]> {
  const session = await RawSession.open(modelPath, options.intraOpThreads);
  const points: RawPoint[] = [];
  for (const batch of batches) points.push(await session.measure(input, batch, options.seconds));
  await session.release();
  return points;
}

/**
 * rawThroughput for a layout. One session runs here; several run at once, one per
 * worker_thread (session.run blocks its thread) as the worker's instances do, all on the same
 * batch size at a time. Rows per second add up across sessions; ms per batch is their mean.
 */
export async function rawLayoutThroughput(modelPath: string, input: RawInput, batches: readonly number[], layout: RawLayout, seconds: number): Promise<RawPoint[]> {
  if (layout.sessions === 1) return rawThroughput(modelPath, input, batches, { intraOpThreads: layout.intraOpThreads, seconds });
  const url = new URL(`./raw-onnxruntime-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  const threads = Array.from({ length: layout.sessions }, () => startThread(url, { workerData: { modelPath, intraOpThreads: layout.intraOpThreads } }));
  try {
    // Every thread settles its load before any is terminated: terminating a thread while
    // onnxruntime-node is still creating its session aborted the whole process (a Napi::Error
    // thrown with nothing to catch it), seen once when both threads failed to open a model.
    const loads = await Promise.allSettled(threads.map((t) => reply<'ready'>(t)));
    const failed = loads.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    const points: RawPoint[] = [];
    for (const batch of batches) {
      const each = await Promise.all(threads.map((t) => {
        t.postMessage({ input, batch, seconds });
        return reply<RawPoint>(t);
      }));
      points.push({
        batch,
        rowsPerSecond: each.reduce((sum, p) => sum + p.rowsPerSecond, 0),
        msPerBatch: each.reduce((sum, p) => sum + p.msPerBatch, 0) / each.length,
      });
    }
    return points;
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

/** The thread's next message; rejects if it fails or exits first. */
function reply<T>(thread: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => done(() => resolve(message));
    const onError = (error: Error) => done(() => reject(error));
    const onExit = (code: number) => done(() => reject(new Error(`raw session thread exited with code ${code}`)));
    const done = (settle: () => void) => {
      thread.off('message', onMessage).off('error', onError).off('exit', onExit);
      settle();
    };
    thread.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}
