import type { ServerUnaryCall, UntypedServiceImplementation, handleUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type {
  ModelInferRequestMessage, ModelInferResponseMessage, ModelMetadataResponseMessage, ModelReadyResponseMessage, ModelRefMessage,
  ServerLiveResponseMessage, ServerMetadataResponseMessage, ServerReadyResponseMessage,
} from '../../../protocol/grpc/messages.js';
import { toGrpcStatus } from '../../../protocol/grpc/status.js';
import type { Logger } from '../../../observability/logger.js';
import { resolveForReadiness, type ModelRegistry } from '../../registry/model-registry.js';
import { SwitchyardError } from '../../../protocol/errors.js';
import { SERVER_EXTENSIONS, SERVER_NAME, SERVER_VERSION } from '../http-server.js';

/** The repository API is served over REST only, so gRPC clients are not told to call RepositoryIndex. */
const GRPC_EXTENSIONS = SERVER_EXTENSIONS.filter((e) => e !== 'model_repository');
import { callSignal } from './call-signal.js';
import type { GrpcInference } from './grpc-inference.js';
import { handleModelStreamInfer, type OpenStream, type StreamCall } from './stream-infer.js';

export interface InferenceServiceDeps {
  readonly registry: ModelRegistry;
  readonly inference: GrpcInference;
  readonly log: Logger;
  /** The worker's own readiness (loaded and not draining); models add their state to it. */
  readonly isReady: () => boolean;
  /** Open ModelStreamInfer calls, for the drain. */
  readonly streams: Set<OpenStream>;
}

/** A unary handler from a function that returns or throws; errors become statuses in one place. */
function unary<Req, Res>(log: Logger, handle: (request: Req) => Res): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    let response: Res;
    try {
      response = handle(call.request);
    } catch (err) {
      log.debug({ err, path: call.getPath() }, 'grpc call refused');
      callback(toGrpcStatus(err));
      return;
    }
    callback(null, response);
  };
}

/** inference.GRPCInferenceService on the worker: the REST server's behaviour over gRPC. */
export function inferenceServiceHandlers(deps: InferenceServiceDeps): UntypedServiceImplementation {
  const { registry, inference, log } = deps;
  return {
    ServerLive: unary(log, (): ServerLiveResponseMessage => ({ live: true })),
    ServerReady: unary(log, (): ServerReadyResponseMessage => ({ ready: deps.isReady() && registry.allReady() })),
    ModelReady: unary(log, (req: ModelRefMessage): ModelReadyResponseMessage => {
      const v = resolveForReadiness(registry, req.name ?? '', req.version ? req.version : undefined);
      return { ready: !(v instanceof SwitchyardError) && v.state === 'READY' && deps.isReady() };
    }),
    ServerMetadata: unary(log, (): ServerMetadataResponseMessage => ({ name: SERVER_NAME, version: SERVER_VERSION, extensions: GRPC_EXTENSIONS })),
    ModelMetadata: unary(log, (req: ModelRefMessage): ModelMetadataResponseMessage => {
      const version = req.version ? req.version : undefined;
      const v = registry.resolve(req.name ?? '', version);
      return {
        name: v.model,
        versions: version !== undefined ? [version] : registry.versionNames(v.model),
        platform: 'onnxruntime_onnx',
        inputs: v.signature.inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: [...i.shape] })),
        outputs: v.signature.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: [...o.shape] })),
      };
    }),
    ModelInfer: (call: ServerUnaryCall<ModelInferRequestMessage, ModelInferResponseMessage>, callback: sendUnaryData<ModelInferResponseMessage>) => {
      const watch = callSignal(call);
      void inference.run(call.request, watch.signal)
        .then((response) => callback(null, response), (err: unknown) => callback(toGrpcStatus(err)))
        .finally(() => watch.dispose())
        .catch((err: unknown) => log.error({ err }, 'writing a gRPC answer failed'));
    },
    ModelStreamInfer: (call: StreamCall) => handleModelStreamInfer(call, inference, deps.streams),
  };
}
