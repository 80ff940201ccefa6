import type { IncomingMessage } from 'node:http';
import { ProtocolErrorCode, SwitchyardError } from './errors.js';
import { allocateOwned } from './owned-buffer.js';
import { copyBytes } from './copy-bytes.js';

export function bodyTooLarge(limit: number, received: number | string): SwitchyardError {
  return new SwitchyardError(
    ProtocolErrorCode.BODY_TOO_LARGE,
    413,
    `the request body (${received} bytes) is over the limit of ${limit} bytes; send fewer rows per request or raise the limit`,
  );
}

/** Bodies from this size up get a buffer of their own; smaller ones usually arrive in one chunk, kept as is. */
const OWNED_BODY_MIN_BYTES = 16 * 1024;

/**
 * Reads a whole body, refusing it (413) as soon as it passes `limit` bytes. With a large
 * Content-Length the bytes land in one buffer. `tensors` (an inference request) takes that
 * buffer from the pool of shared body buffers (owned-buffer.ts; the caller gives it back with
 * releaseOwned), with byte `tensors.alignAt` on an 8-byte boundary: where the binary tensors
 * start. Other callers get a plain buffer.
 */
export function readBody(req: IncomingMessage, limit: number, tensors?: { alignAt: number }): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge(limit, declared));
  const large = Number.isSafeInteger(declared) && declared >= OWNED_BODY_MIN_BYTES;
  return new Promise((resolve, reject) => {
    // Node's parser delivers exactly Content-Length bytes, so a declared body fits its buffer.
    const whole = !large ? undefined : tensors ? allocateOwned(declared, tensors.alignAt) : Buffer.allocUnsafeSlow(declared);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > limit) {
        req.off('data', onData);
        reject(bodyTooLarge(limit, `more than ${limit}`));
        return;
      }
      if (whole !== undefined) copyBytes(whole, size, chunk);
      else chunks.push(chunk);
      size += chunk.length;
    };
    // 'end' and 'error' come at most once each: `on` spares the wrappers `once` would add per request.
    req.on('data', onData);
    req.on('end', () => {
      if (whole !== undefined) resolve(whole);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}
