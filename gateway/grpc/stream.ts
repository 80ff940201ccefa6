import type { Metadata, ServerDuplexStream } from '@grpc/grpc-js';
import { answerInOrder, type OpenStream } from '../../protocol/grpc/ordered-stream.js';
import { toStreamError } from '../../protocol/grpc/status.js';
import type { ModelStreamInferResponseMessage } from '../../protocol/grpc/messages.js';
import type { InFlight } from '../../worker/server/grpc/in-flight.js';
import type { GrpcOutcome } from './dispatch.js';
import { wrapStreamResponse } from './wire.js';

/** Requests of one stream routed at once (the worker's own per-stream cap is the same 64). */
export const MAX_GATEWAY_STREAM_IN_FLIGHT = 64;

export type GatewayStreamCall = ServerDuplexStream<Buffer, Buffer>;
export type { OpenStream as OpenGatewayStream };

export interface StreamDeps {
  /** Routes and forwards one request of the stream (a ModelInfer upstream). */
  readonly dispatch: (message: Buffer) => Promise<GrpcOutcome>;
  /** Serializes a ModelStreamInferResponse (for the error answers the gateway writes itself). */
  readonly serializeError: (message: ModelStreamInferResponseMessage) => Buffer;
  readonly inFlight: InFlight;
  readonly open: Set<OpenStream>;
}

/**
 * ModelStreamInfer through the gateway: each request of the stream is routed on its own,
 * exactly as a ModelInfer call (same route, target, sticky unit from the stream's metadata,
 * filters, metrics) and sent upstream as a unary ModelInfer, so requests of one stream batch
 * together on the worker and may go to different endpoints. Answers are written in request
 * order; a failed request is answered with `error_message` (Triton's way) and the stream goes
 * on. The response metadata is that of the stream's first request (x-request-id, route,
 * backend, version).
 */
export function handleGatewayStream(call: GatewayStreamCall, deps: StreamDeps): void {
  // Each request in flight listens for the call's cancellation.
  call.setMaxListeners(MAX_GATEWAY_STREAM_IN_FLIGHT + 16);
  let received = 0;
  let firstMetadata: Metadata | undefined;
  answerInOrder(call, {
    maxInFlight: MAX_GATEWAY_STREAM_IN_FLIGHT,
    open: deps.open,
    answer: async (message) => {
      const first = received++ === 0;
      const outcome = await deps.inFlight.track(() => deps.dispatch(message));
      if (first) firstMetadata = outcome.responseMetadata;
      return answerBytes(outcome, deps);
    },
    // The first answer written is the first request's (answers go out in order).
    beforeWrite: () => {
      if (firstMetadata === undefined) return;
      call.sendMetadata(firstMetadata);
      firstMetadata = undefined;
    },
  });
}

function answerBytes(outcome: GrpcOutcome, deps: StreamDeps): Buffer {
  if (outcome.ok) return wrapStreamResponse(outcome.body);
  const head = outcome.head;
  return deps.serializeError(toStreamError(outcome.error, { model_name: head?.modelName, model_version: head?.modelVersion, id: head?.id }));
}
