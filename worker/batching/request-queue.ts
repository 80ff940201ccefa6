export interface QueuedItem {
  /** 1 is served first. */
  readonly priority: number;
  /** When it was queued, in microseconds on the batcher's clock. */
  readonly enqueuedMicros: number;
}

/** FIFO per priority level; iteration yields level 1 first, oldest first within a level. */
export class RequestQueue<T extends QueuedItem> implements Iterable<T> {
  readonly #levels: T[][];
  #size = 0;

  constructor(priorityLevels: number) {
    this.#levels = Array.from({ length: priorityLevels }, () => []);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    this.#levels[item.priority - 1]!.push(item);
    this.#size++;
  }

  /** Returns false when the item had already left the queue. */
  remove(item: T): boolean {
    const level = this.#levels[item.priority - 1]!;
    const index = level.indexOf(item);
    if (index < 0) return false;
    level.splice(index, 1);
    this.#size--;
    return true;
  }

  removeAll(items: readonly T[]): void {
    const gone = new Set(items);
    for (let i = 0; i < this.#levels.length; i++) {
      const level = this.#levels[i]!;
      const kept = level.filter((item) => !gone.has(item));
      this.#size -= level.length - kept.length;
      this.#levels[i] = kept;
    }
  }

  /** The earliest enqueue time of any level; Infinity when empty. Heads are the oldest of their level. */
  oldestEnqueuedMicros(): number {
    let oldest = Infinity;
    for (const level of this.#levels) {
      const head = level[0];
      if (head !== undefined && head.enqueuedMicros < oldest) oldest = head.enqueuedMicros;
    }
    return oldest;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const level of this.#levels) yield* level;
  }
}
