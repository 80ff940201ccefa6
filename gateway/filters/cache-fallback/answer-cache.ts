import type { CacheFallbackConfig } from '../../config/schema.js';

/** One cached answer: a 200 of an inference request. */
export interface CachedAnswer {
  readonly body: Uint8Array;
  readonly contentType: string | undefined;
  /** Epoch ms it was stored. */
  readonly storedAt: number;
}

/**
 * A bounded LRU of answers (a Map in recency order: the first key is the least recently used),
 * limited in entries and in body bytes; entries older than `ttl` are never served and are
 * dropped when met. An answer larger than maxBytes is not kept at all.
 */
export class AnswerCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private bytes = 0;

  constructor(readonly config: CacheFallbackConfig, private readonly onSize: (entries: number) => void = () => undefined) {}

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** A fresh answer for the key (marked most recently used), or undefined. */
  get(key: string, now: number): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (now - entry.storedAt >= this.config.ttl) {
      this.bytes -= entry.body.byteLength;
      this.onSize(this.entries.size);
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, answer: CachedAnswer): void {
    const size = answer.body.byteLength;
    if (size > this.config.maxBytes) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.bytes -= old.body.byteLength;
    }
    this.entries.set(key, answer);
    this.bytes += size;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.config.maxEntries && this.bytes <= this.config.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.body.byteLength;
    }
    this.onSize(this.entries.size);
  }
}
