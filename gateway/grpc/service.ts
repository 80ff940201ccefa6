import type { ServerUnaryCall, ServiceDefinition, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';
import { inferenceService } from '../../protocol/grpc/load.js';
import type { ModelStreamInferResponseMessage, ServerLiveResponseMessage, ServerMetadataResponseMessage, ServerReadyResponseMessage } from '../../protocol/grpc/messages.js';
import type { InFlight } from '../../worker/server/grpc/in-flight.js';
import { serverLive, serverMetadata, serverReadiness } from '../health/inference-server.js';
import { dispatchModelCall, type DispatchDeps, type GrpcCallIn, type GrpcOutcome, type ModelCallKind } from './dispatch.js';
import { metadataHeaders } from './exchange.js';
import { passthrough } from './forward.js';
import { handleGatewayStream, type GatewayStreamCall, type OpenGatewayStream } from './stream.js';

/** Methods whose messages the gateway forwards as bytes, and the REST path each stands for. */
const FORWARDED: Readonly<Record<string, ModelCallKind>> = { ModelInfer: 'infer', ModelStreamInfer: 'infer', ModelMetadata: 'metadata', ModelReady: 'ready' };

/**
 * inference.GRPCInferenceService as the gateway serves it: the published definition, with the
 * forwarded methods' messages left as bytes (no decode on the way in, no encode on the way
 * out). The server-level methods keep the proto-loader codecs (tiny messages).
 */
export function gatewayInferenceDefinition(): ServiceDefinition {
  const published = inferenceService().service;
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const [name, method] of Object.entries(published)) {
    definition[name] = name in FORWARDED
      ? { ...method, requestDeserialize: passthrough, responseSerialize: passthrough, requestSerialize: passthrough, responseDeserialize: passthrough }
      : method;
  }
  return definition;
}

export interface GatewayServiceDeps extends DispatchDeps {
  readonly inFlight: InFlight;
  readonly streams: Set<OpenGatewayStream>;
}

type UnaryCall = ServerUnaryCall<Buffer, Buffer>;

export function gatewayInferenceHandlers(deps: GatewayServiceDeps): UntypedServiceImplementation {
  const published = inferenceService().service;
  const serializeError = (message: ModelStreamInferResponseMessage): Buffer => published.ModelStreamInfer!.responseSerialize(message);
  const callIn = (call: UnaryCall | GatewayStreamCall, kind: ModelCallKind, method: string, message: Buffer): GrpcCallIn => ({
    kind, method, message, metadata: call.metadata, headers: metadataHeaders(call.metadata, call.getHost()), deadline: call.getDeadline(), call, peer: call.getPeer(),
  });
  const forwardUnary = (name: string) => {
    const method = published[name]!.path;
    const kind = FORWARDED[name]!;
    return (call: UnaryCall, callback: sendUnaryData<Buffer>): void => {
      void deps.inFlight.track(() => dispatchModelCall(deps, callIn(call, kind, method, call.request))).then((outcome: GrpcOutcome) => {
        call.sendMetadata(outcome.responseMetadata);
        if (outcome.ok) callback(null, outcome.body);
        else callback({ code: outcome.code, details: outcome.error.message, metadata: outcome.trailers });
      });
    };
  };
  const inferPath = published.ModelInfer!.path;
  return {
    ServerLive: (_call: ServerUnaryCall<unknown, ServerLiveResponseMessage>, callback: sendUnaryData<ServerLiveResponseMessage>) => callback(null, { live: serverLive() }),
    ServerReady: (_call: ServerUnaryCall<unknown, ServerReadyResponseMessage>, callback: sendUnaryData<ServerReadyResponseMessage>) =>
      callback(null, { ready: serverReadiness(deps.runtime).ready }),
    ServerMetadata: (_call: ServerUnaryCall<unknown, ServerMetadataResponseMessage>, callback: sendUnaryData<ServerMetadataResponseMessage>) =>
      callback(null, serverMetadata()),
    ModelMetadata: forwardUnary('ModelMetadata'),
    ModelReady: forwardUnary('ModelReady'),
    ModelInfer: forwardUnary('ModelInfer'),
    ModelStreamInfer: (call: GatewayStreamCall) => handleGatewayStream(call, {
      dispatch: (message) => dispatchModelCall(deps, callIn(call, 'infer', inferPath, message)),
      serializeError, inFlight: deps.inFlight, open: deps.streams,
    }),
  };
}
