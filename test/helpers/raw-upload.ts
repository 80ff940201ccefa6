import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Whether a `100 Continue` interim answer came before the final one. */
  readonly sawContinue: boolean;
  /** Body bytes written before the answer had been read whole. */
  readonly bytesWritten: number;
}

export interface RawUploadOptions {
  readonly port: number;
  readonly path: string;
  /** The Content-Length sent. */
  readonly declared: number;
  /** Send `Expect: 100-continue` and no body until told to. */
  readonly expectContinue?: boolean;
  /**
   * Write the body (zeros, 64 KiB at a time, with backpressure) while waiting for the answer;
   * `all` goes on until every declared byte is written (as a client that reads only after
   * uploading), and the answer counts once both are done.
   */
  readonly keepWriting: boolean | 'all';
  readonly headers?: Readonly<Record<string, string>>;
  /** A real body, sent once 100 Continue came (with expectContinue) or right after the headers. */
  readonly body?: string;
}

const CHUNK = Buffer.alloc(64 * 1024);

/**
 * An HTTP/1.1 client on a bare socket, for what fetch cannot show: it sends the headers, keeps
 * uploading while the server answers, and resolves with the answer once it was read whole. A
 * reset or a close before that rejects, with what had arrived so far.
 */
export function rawUpload(options: RawUploadOptions): Promise<RawAnswer> {
  // Half-open allowed: a server's FIN after its answer does not stop the upload (as with curl).
  const socket = connect({ port: options.port, host: '127.0.0.1', allowHalfOpen: true });
  const head = [
    `POST ${options.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json', `Content-Length: ${options.declared}`,
    ...(options.expectContinue ? ['Expect: 100-continue'] : []),
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n') + '\r\n\r\n';
  socket.write(head);
  const sendBody = (): void => {
    if (options.body !== undefined) socket.write(options.body);
  };
  if (!options.expectContinue) sendBody();
  let written = 0;
  let done = false;
  let uploadedAll: () => void = () => undefined;
  const uploaded = options.keepWriting !== 'all' ? undefined : new Promise<void>((resolve, reject) => {
    uploadedAll = resolve;
    socket.once('close', () => reject(new Error(`the connection closed after ${written} of ${options.declared} bytes were written`)));
  });
  const writeMore = (): void => {
    while (!done && options.keepWriting !== false && written < options.declared && !socket.destroyed) {
      const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, options.declared - written));
      written += chunk.length;
      // The last chunk's callback runs once every byte has gone to the kernel.
      if (!socket.write(chunk, written === options.declared ? () => uploadedAll() : undefined)) {
        socket.once('drain', writeMore);
        return;
      }
    }
  };
  writeMore();
  const answer = readAnswer(socket, () => written, sendBody);
  return Promise.all([answer, uploaded]).then(([a]) => a).finally(() => {
    done = true;
    socket.destroy();
  });
}

function readAnswer(socket: Socket, written: () => number, onContinue: () => void): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    let sawContinue = false;
    const fail = (why: string): void => reject(new Error(`${why} before the answer was read whole; received: ${JSON.stringify(buffer.toString('latin1').slice(0, 300))}`));
    socket.on('error', (err) => fail(`socket error ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    socket.on('close', () => fail('the connection closed'));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(lines[0]!.split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        if (status === 100) {
          sawContinue = true;
          buffer = buffer.subarray(end + 4);
          onContinue();
          continue;
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) return;
        resolve({ status, headers, body: buffer.subarray(end + 4, end + 4 + length).toString('utf8'), sawContinue, bytesWritten: written() });
        return;
      }
    });
  });
}
