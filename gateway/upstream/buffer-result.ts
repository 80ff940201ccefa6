import { Readable } from 'node:stream';
import type { UpstreamResult } from '../pipeline/filter.js';

/** Largest upstream answer a resilience filter holds in memory, bytes (64 MiB); past it the exchange is failed. */
export const MAX_BUFFERED_ANSWER_BYTES = 64 * 1024 * 1024;

/** The result with its body read into memory (retries, the cache and fallbacks need the bytes). */
export async function bufferResult(result: UpstreamResult): Promise<UpstreamResult> {
  const body = result.body;
  if (!(body instanceof Readable)) return result;
  const bytes = await readLimited(body, MAX_BUFFERED_ANSWER_BYTES);
  if (bytes === undefined) throw new Error(`the upstream answer is larger than ${MAX_BUFFERED_ANSWER_BYTES} bytes`);
  return { status: result.status, headers: result.headers, body: bytes };
}

/** The whole body, or undefined (and the stream destroyed) past `max` bytes. */
export async function readLimited(stream: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > max) {
      stream.destroy();
      return undefined;
    }
    chunks.push(buffer);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** Lets go of a result nobody will read: its stream is destroyed so the connection is freed. */
export function discardResult(result: UpstreamResult): void {
  if (result.body instanceof Readable) result.body.destroy();
}
