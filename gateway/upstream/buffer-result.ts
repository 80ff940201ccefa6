import { Readable } from 'node:stream';
import type { UpstreamResult } from '../pipeline/filter.js';

/** Largest upstream answer a resilience filter holds in memory, bytes (64 MiB); past it the exchange is failed. */
export const MAX_BUFFERED_ANSWER_BYTES = 64 * 1024 * 1024;

/** The result with its body read into memory (retries, the cache and fallbacks need the bytes). */
export async function bufferResult(result: UpstreamResult): Promise<UpstreamResult> {
  const body = result.body;
  if (!(body instanceof Readable)) return result;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const c = chunk as Buffer;
    size += c.byteLength;
    if (size > MAX_BUFFERED_ANSWER_BYTES) {
      body.destroy();
      throw new Error(`the upstream answer is larger than ${MAX_BUFFERED_ANSWER_BYTES} bytes`);
    }
    chunks.push(c);
  }
  return { status: result.status, headers: result.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
}

/** Lets go of a result nobody will read: its stream is destroyed so the connection is freed. */
export function discardResult(result: UpstreamResult): void {
  if (result.body instanceof Readable) result.body.destroy();
}
