import { DATATYPE_INFO, type Datatype, type NumericArray } from '../../protocol/datatypes.js';

/**
 * One reusable buffer per input name, in a session thread: a batch is merged into it instead
 * of into a fresh array, so a busy model does not allocate (and the thread does not collect)
 * a batch-sized buffer per run. Only safe while runs of one thread never overlap, which the
 * thread guarantees by running its messages one after another.
 */
export class BatchBuffers {
  readonly #buffers = new Map<string, ArrayBuffer>();

  /** A view of `length` elements at the start of the input's buffer, grown (never shrunk) to fit. */
  readonly allocate = (name: string, datatype: Datatype, length: number): NumericArray => {
    const info = DATATYPE_INFO[datatype];
    const bytes = length * info.size;
    let buffer = this.#buffers.get(name);
    // A buffer that left the thread (transferred) reads as 0 bytes long and is replaced.
    if (buffer === undefined || buffer.byteLength < bytes) {
      buffer = new ArrayBuffer(bytes);
      this.#buffers.set(name, buffer);
    }
    return info.fromBuffer(buffer, 0, length) as NumericArray;
  };
}
