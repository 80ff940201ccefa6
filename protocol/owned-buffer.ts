/**
 * Request bodies read into a buffer of their own. Such a buffer backs exactly one request and
 * nothing else in the process (it is not a slice of Node's Buffer pool), so the tensors viewing
 * it may hand the whole buffer to a session thread by transfer instead of copying it.
 */
const owned = new WeakSet<ArrayBufferLike>();

/** Alignment the binary tensor data of a body is placed at: enough for every numeric datatype. */
export const TENSOR_ALIGNMENT = 8;

/**
 * A buffer of `size` bytes of its own, placed so that byte `alignAt` of it falls on an
 * 8-byte boundary of the underlying ArrayBuffer (a Float32Array or BigInt64Array can then
 * view the tensor bytes that start there without a copy). The contents are not zeroed.
 */
export function allocateOwned(size: number, alignAt = 0): Buffer {
  const pad = (TENSOR_ALIGNMENT - (alignAt % TENSOR_ALIGNMENT)) % TENSOR_ALIGNMENT;
  const backing = Buffer.allocUnsafeSlow(size + pad);
  owned.add(backing.buffer);
  return backing.subarray(pad, pad + size);
}

/** True when `buffer` came from allocateOwned: its only users are one request's tensors. */
export function isOwned(buffer: ArrayBufferLike): boolean {
  return owned.has(buffer);
}
