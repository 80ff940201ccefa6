import type { Worker } from 'node:worker_threads';
import type { Tensor } from '../../protocol/tensor.js';
import { sessionThreadUrl, startThread } from './thread-file.js';
import { fromErrorShape, partsForTransfer, type FromSessionThread, type ThreadSettings, type ToSessionThread } from './thread-messages.js';

interface Pending {
  readonly resolve: (outputs: Tensor[]) => void;
  readonly reject: (error: Error) => void;
}

/** The batcher's handle on one session thread: starts it, sends runs, matches answers by id. */
export class SessionThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #exited: Error | undefined;
  /** The device the session really runs on (cpu after a GPU fallback). */
  readonly device: string;
  /** Why the session is not on the device asked for; undefined when it is. */
  readonly warning: string | undefined;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  private constructor(worker: Worker, ready: Extract<FromSessionThread, { type: 'ready' }>) {
    this.#worker = worker;
    this.device = ready.device;
    this.warning = ready.warning;
    this.inputNames = ready.inputNames;
    this.outputNames = ready.outputNames;
    worker.on('message', (message: FromSessionThread) => this.#answer(message));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => this.#fail(new Error(`session thread exited with code ${code}`)));
  }

  /** Starts a thread and resolves once its session has loaded; rejects with the load error. */
  static start(settings: ThreadSettings, url: URL = sessionThreadUrl()): Promise<SessionThread> {
    const worker = startThread(url, { workerData: settings });
    return new Promise<SessionThread>((resolve, reject) => {
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`session thread exited with code ${code} before its session loaded`));
      };
      const onMessage = (message: FromSessionThread): void => {
        cleanup();
        if (message.type === 'ready') {
          resolve(new SessionThread(worker, message));
          return;
        }
        void worker.terminate();
        reject(message.type === 'failed' ? fromErrorShape(message.error) : new Error(`session thread sent '${message.type}' before ready`));
      };
      const cleanup = (): void => {
        worker.off('error', onError).off('exit', onExit).off('message', onMessage);
      };
      worker.once('error', onError).once('exit', onExit).once('message', onMessage);
    });
  }

  get runsInFlight(): number {
    return this.#pending.size;
  }

  /** Runs the session once on one caller's inputs (see runBatch for what happens to the buffers). */
  run(inputs: readonly Tensor[], outputNames: readonly string[]): Promise<Tensor[]> {
    return this.runBatch([inputs], outputNames);
  }

  /**
   * Runs the session once on several callers' inputs, merged along dim 0, and resolves with
   * the batch's outputs. A small batch is merged here before posting (partsForTransfer); a
   * large one in the thread. Request bodies' own buffers (shared memory) are posted as they
   * are; other unmerged buffers that are whole ArrayBuffers are transferred, so those callers'
   * tensors are detached afterwards; views on other buffers are copied first.
   */
  runBatch(parts: readonly (readonly Tensor[])[], outputNames: readonly string[]): Promise<Tensor[]> {
    if (this.#exited !== undefined) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    const ready = partsForTransfer(parts);
    return new Promise<Tensor[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const message: ToSessionThread = { type: 'run', id, parts: ready.parts, outputs: [...outputNames] };
      try {
        this.#worker.postMessage(message, ready.transfer);
      } catch (error) {
        this.#pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Stops the thread; runs still pending are rejected. */
  async terminate(): Promise<void> {
    this.#fail(new Error('session thread terminated'));
    await this.#worker.terminate();
  }

  #answer(message: FromSessionThread): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (message.type === 'result') pending.resolve([...message.outputs]);
    else pending.reject(fromErrorShape(message.error));
  }

  #fail(error: Error): void {
    this.#exited ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
