import type { Metadata, ServerDuplexStream, StatusObject } from '@grpc/grpc-js';
import { toStreamError } from '../../protocol/grpc/status.js';
import type { ModelStreamInferResponseMessage } from '../../protocol/grpc/messages.js';
import type { InFlight } from '../../worker/server/grpc/in-flight.js';
import type { GrpcCallIn, GrpcOutcome } from './dispatch.js';
import { wrapStreamResponse } from './wire.js';

/**
 * Requests of one stream routed at once. Past it the stream stops reading, so HTTP/2 flow
 * control holds the client back (the worker's own per-stream cap is the same 64).
 */
export const MAX_GATEWAY_STREAM_IN_FLIGHT = 64;

export type GatewayStreamCall = ServerDuplexStream<Buffer, Buffer>;

export interface OpenGatewayStream {
  /** Writes what is already answered, then ends the call with `status`. */
  close(status: StatusObject): Promise<void>;
}

export interface StreamDeps {
  /** Routes and forwards one request of the stream (a ModelInfer upstream). */
  readonly dispatch: (message: Buffer) => Promise<GrpcOutcome>;
  /** Serializes a ModelStreamInferResponse (for the error answers the gateway writes itself). */
  readonly serializeError: (message: ModelStreamInferResponseMessage) => Buffer;
  readonly inFlight: InFlight;
  readonly open: Set<OpenGatewayStream>;
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
  call.setMaxListeners(MAX_GATEWAY_STREAM_IN_FLIGHT + 16);
  let written: Promise<void> = Promise.resolve();
  let pending = 0;
  let finished = false;
  let metadataSent = false;

  const finish = (status?: StatusObject): void => {
    if (finished) return;
    finished = true;
    deps.open.delete(stream);
    if (status) call.emit('error', status);
    else if (!call.cancelled) call.end();
  };
  const stream: OpenGatewayStream = {
    async close(status) {
      await written;
      finish(status);
    },
  };
  deps.open.add(stream);

  const answerOf = (outcome: GrpcOutcome): Buffer => {
    if (outcome.ok) return wrapStreamResponse(outcome.body);
    const head = outcome.head;
    return deps.serializeError(toStreamError(outcome.error, { model_name: head?.modelName, model_version: head?.modelVersion, id: head?.id }));
  };
  const sendMetadataOnce = (metadata: Metadata): void => {
    if (metadataSent) return;
    metadataSent = true;
    call.sendMetadata(metadata);
  };

  call.on('data', (message: Buffer) => {
    if (finished) return;
    const outcome = deps.inFlight.track(() => deps.dispatch(message));
    pending++;
    if (pending >= MAX_GATEWAY_STREAM_IN_FLIGHT) call.pause();
    written = written.then(async () => {
      const answered = await outcome;
      if (!finished && !call.cancelled) {
        sendMetadataOnce(answered.responseMetadata);
        await write(call, answerOf(answered));
      }
      pending--;
      if (pending < MAX_GATEWAY_STREAM_IN_FLIGHT && call.isPaused()) call.resume();
    });
  });
  call.once('end', () => void written.then(() => finish()));
  call.once('cancelled', () => finish());
}

/** Writes one answer; waits for the client to take the backlog when the stream's buffer is full. */
function write(call: GatewayStreamCall, response: Buffer): Promise<void> {
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
