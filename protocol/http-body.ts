import type { IncomingMessage } from 'node:http';
import { ProtocolErrorCode, SwitchyardError } from './errors.js';

export function bodyTooLarge(limit: number, received: number | string): SwitchyardError {
  return new SwitchyardError(
    ProtocolErrorCode.BODY_TOO_LARGE,
    413,
    `the request body (${received} bytes) is over the limit of ${limit} bytes; send fewer rows per request or raise the limit`,
  );
}

/** Reads a whole body, refusing it (413) as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge(limit, declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(bodyTooLarge(limit, `more than ${limit}`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}
