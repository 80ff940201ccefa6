import { SessionThread } from './session-thread-client.js';
import type { ThreadSettings } from './thread-messages.js';

/**
 * The `instances` session threads of one model version and which of them are free. The
 * batcher acquires a free one per batch and releases it when the batch answers.
 */
export class InstanceGroup {
  readonly threads: readonly SessionThread[];
  readonly #free: SessionThread[];

  private constructor(threads: SessionThread[]) {
    this.threads = threads;
    this.#free = [...threads];
  }

  /** Starts `count` threads in parallel; if any fails to load, the others are stopped and the first error thrown. */
  static async start(count: number, settings: ThreadSettings, url?: URL): Promise<InstanceGroup> {
    const started = await Promise.allSettled(Array.from({ length: count }, () => SessionThread.start(settings, url)));
    const threads = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(threads.map((t) => t.terminate()));
      throw failed.reason;
    }
    return new InstanceGroup(threads);
  }

  get size(): number {
    return this.threads.length;
  }

  get freeCount(): number {
    return this.#free.length;
  }

  /** A free thread, now marked busy; undefined when all are busy. */
  acquire(): SessionThread | undefined {
    return this.#free.shift();
  }

  release(thread: SessionThread): void {
    if (this.threads.includes(thread) && !this.#free.includes(thread)) this.#free.push(thread);
  }

  /** The device the sessions run on and the fallback warning, if any (all threads load alike). */
  get device(): string {
    return this.threads[0]!.device;
  }

  get warning(): string | undefined {
    return this.threads[0]!.warning;
  }

  async close(): Promise<void> {
    this.#free.length = 0;
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}
