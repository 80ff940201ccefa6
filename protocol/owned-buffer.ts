/**
 * Request bodies read into a buffer of their own: a SharedArrayBuffer that backs one request
 * at a time and nothing else, taken from a pool the process reuses. The tensors viewing it are
 * posted to a session thread as they are (shared memory crosses without a copy or a transfer),
 * and the request gives the buffer back when it ends (releaseOwned).
 *
 * Why shared and pooled: a fresh ArrayBuffer per body counts as the isolate's external memory.
 * Under sustained image load that drove the HTTP thread's isolate into a full mark-compact
 * every 0.4 s after about 25 s (docs/BENCHMARKS.md, Worker). V8 does not count shared memory
 * per isolate, and a reused buffer is not allocated at all.
 */

/** Alignment the binary tensor data of a body is placed at: enough for every numeric datatype. */
export const TENSOR_ALIGNMENT = 8;

/** Pooled buffers come in multiples of this size, so bodies of nearly the same size share them. */
const SIZE_STEP = 64 * 1024;

/** Free buffers kept for reuse, in bytes; a buffer given back beyond this is left to the GC. */
const POOL_LIMIT_BYTES = 64 * 1024 * 1024;

/** Every buffer this module handed out, and those of them now free, by size. */
const made = new WeakSet<ArrayBufferLike>();
const free = new Map<number, SharedArrayBuffer[]>();
const isFree = new WeakSet<SharedArrayBuffer>();
let freeBytes = 0;

/**
 * A buffer of `size` bytes of its own, placed so that byte `alignAt` of it falls on an
 * 8-byte boundary of the underlying buffer (a Float32Array or BigInt64Array can then view the
 * tensor bytes that start there without a copy). The contents are not zeroed.
 */
export function allocateOwned(size: number, alignAt = 0): Buffer {
  const pad = (TENSOR_ALIGNMENT - (alignAt % TENSOR_ALIGNMENT)) % TENSOR_ALIGNMENT;
  const bytes = Math.ceil((size + pad) / SIZE_STEP) * SIZE_STEP;
  let backing = free.get(bytes)?.pop();
  if (backing === undefined) {
    backing = new SharedArrayBuffer(bytes);
    made.add(backing);
  } else {
    isFree.delete(backing);
    freeBytes -= bytes;
  }
  return Buffer.from(backing, pad, size);
}

/**
 * Gives a body's buffer back for the next request. Call it once the request has ended. A run
 * already posted still reads it safely: the session thread copies a batch's inputs as it
 * starts, and a request that ends early (cancelled, timed out) owns only rows nobody reads.
 * Anything else (a Node Buffer, a buffer already given back) is ignored.
 */
export function releaseOwned(body: Buffer | undefined): void {
  const backing = body?.buffer;
  if (!(backing instanceof SharedArrayBuffer) || !made.has(backing) || isFree.has(backing)) return;
  if (freeBytes + backing.byteLength > POOL_LIMIT_BYTES) return;
  const list = free.get(backing.byteLength) ?? [];
  list.push(backing);
  free.set(backing.byteLength, list);
  isFree.add(backing);
  freeBytes += backing.byteLength;
}

/** True when `buffer` came from allocateOwned: its only user is one request's tensors. */
export function isOwned(buffer: ArrayBufferLike): boolean {
  return made.has(buffer);
}
