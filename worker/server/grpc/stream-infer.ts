import type { ServerDuplexStream, StatusObject } from '@grpc/grpc-js';
import type { ModelInferRequestMessage, ModelStreamInferResponseMessage } from '../../../protocol/grpc/messages.js';
import { toStreamError } from '../../../protocol/grpc/status.js';
import { callSignal } from './call-signal.js';
import type { GrpcInference } from './grpc-inference.js';

/**
 * Requests of one stream decoded or queued at once. Past it the stream stops reading, so
 * HTTP/2 flow control holds the client back instead of the batch queue filling up (1024
 * requests by default) and refusing the rest.
 */
export const MAX_STREAM_IN_FLIGHT = 64;

export type StreamCall = ServerDuplexStream<ModelInferRequestMessage, ModelStreamInferResponseMessage>;

/** An open ModelStreamInfer call, as the server's drain sees it. */
export interface OpenStream {
  /** Writes what is already answered, then ends the call with `status`. */
  close(status: StatusObject): Promise<void>;
}

/**
 * ModelStreamInfer: every request starts as soon as it arrives (so a stream's requests batch
 * together), and the answers are written in request order. A failed request is answered with
 * `error_message` and the stream goes on. The call's deadline and cancellation abort what is
 * still queued. The stream ends (OK) after the client half-closes and every answer is written.
 */
export function handleModelStreamInfer(call: StreamCall, inference: GrpcInference, open: Set<OpenStream>): void {
  const watch = callSignal(call);
  let written: Promise<void> = Promise.resolve();
  let pending = 0;
  let finished = false;

  const finish = (status?: StatusObject): void => {
    if (finished) return;
    finished = true;
    watch.dispose();
    open.delete(stream);
    if (status) call.emit('error', status);
    else if (!call.cancelled) call.end();
  };
  const stream: OpenStream = {
    async close(status) {
      await written;
      finish(status);
    },
  };
  open.add(stream);

  call.on('data', (request: ModelInferRequestMessage) => {
    if (finished) return;
    const answer = inference.run(request, watch.signal).then(
      (infer_response): ModelStreamInferResponseMessage => ({ error_message: '', infer_response }),
      (err: unknown) => toStreamError(err, request),
    );
    pending++;
    if (pending >= MAX_STREAM_IN_FLIGHT) call.pause();
    written = written.then(async () => {
      const response = await answer;
      if (!finished && !call.cancelled) await write(call, response);
      pending--;
      if (pending < MAX_STREAM_IN_FLIGHT && call.isPaused()) call.resume();
    });
  });
  call.once('end', () => void written.then(() => finish()));
  call.once('cancelled', () => finish());
}

/** Writes one answer; waits for the client to take the backlog when the stream's buffer is full. */
function write(call: StreamCall, response: ModelStreamInferResponseMessage): Promise<void> {
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
