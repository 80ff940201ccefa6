import type { ServerDuplexStream, StatusObject } from '@grpc/grpc-js';

/** An open bidirectional call answered in order, as a server's drain sees it. */
export interface OpenStream {
  /** Writes what is already answered, then ends the call with `status`. */
  close(status: StatusObject): Promise<void>;
}

export interface OrderedStreamOptions<Req, Res> {
  /** Answers one request; must not reject (a failure is an answer too, e.g. Triton's error_message). */
  readonly answer: (request: Req) => Promise<Res>;
  /** Requests of one stream answered at once; past it the stream stops reading (HTTP/2 flow control holds the client back). */
  readonly maxInFlight: number;
  /** The server's open streams, for its drain. */
  readonly open: Set<OpenStream>;
  /** Runs just before an answer is written (e.g. to send response metadata with the first). */
  readonly beforeWrite?: (response: Res) => void;
  /** Runs once when the call is over. */
  readonly onFinish?: () => void;
}

/**
 * ModelStreamInfer's plumbing, shared by the worker and the gateway: every request starts as
 * soon as it arrives (so a stream's requests batch together), the answers are written in
 * request order, and the call ends (OK) once the client half-closed and every answer is
 * written, or when the client cancels.
 */
export function answerInOrder<Req, Res>(call: ServerDuplexStream<Req, Res>, options: OrderedStreamOptions<Req, Res>): void {
  let written: Promise<void> = Promise.resolve();
  let pending = 0;
  let finished = false;

  const finish = (status?: StatusObject): void => {
    if (finished) return;
    finished = true;
    options.onFinish?.();
    options.open.delete(stream);
    if (status) call.emit('error', status);
    else if (!call.cancelled) call.end();
  };
  const stream: OpenStream = {
    async close(status) {
      await written;
      finish(status);
    },
  };
  options.open.add(stream);

  call.on('data', (request: Req) => {
    if (finished) return;
    const answer = options.answer(request);
    pending++;
    if (pending >= options.maxInFlight) call.pause();
    written = written.then(async () => {
      const response = await answer;
      if (!finished && !call.cancelled) {
        options.beforeWrite?.(response);
        await write(call, response);
      }
      pending--;
      if (pending < options.maxInFlight && call.isPaused()) call.resume();
    });
  });
  call.once('end', () => void written.then(() => finish()));
  call.once('cancelled', () => finish());
}

/** Writes one answer; waits for the client to take the backlog when the stream's buffer is full. */
function write<Res>(call: ServerDuplexStream<unknown, Res>, response: Res): Promise<void> {
  if (call.write(response)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('cancelled', done);
    call.on('close', done);
  });
}
