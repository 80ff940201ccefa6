import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ModelInferRequestMessage, ModelStreamInferResponseMessage } from '../../../protocol/grpc/messages.js';
import { answerInOrder, type OpenStream } from '../../../protocol/grpc/ordered-stream.js';
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

export type { OpenStream };

/**
 * ModelStreamInfer: every request starts as soon as it arrives (so a stream's requests batch
 * together), and the answers are written in request order. A failed request is answered with
 * `error_message` and the stream goes on. The call's deadline and cancellation abort what is
 * still queued. The stream ends (OK) after the client half-closes and every answer is written.
 */
export function handleModelStreamInfer(call: StreamCall, inference: GrpcInference, open: Set<OpenStream>): void {
  const watch = callSignal(call);
  answerInOrder(call, {
    maxInFlight: MAX_STREAM_IN_FLIGHT,
    open,
    answer: (request) => inference.run(request, watch.signal).then(
      (infer_response): ModelStreamInferResponseMessage => ({ error_message: '', infer_response }),
      (err: unknown) => toStreamError(err, request),
    ),
    onFinish: () => watch.dispose(),
  });
}
