import { inferenceService } from '../../../../protocol/grpc/load.js';
import type { ModelInferRequestMessage, ModelInferResponseMessage } from '../../../../protocol/grpc/messages.js';

/** Sends a message through the real protobuf encoding and back, as a peer would see it. */
export function overTheWire(request: ModelInferRequestMessage): ModelInferRequestMessage {
  const method = inferenceService().service.ModelInfer!;
  return method.requestDeserialize(method.requestSerialize(request)) as ModelInferRequestMessage;
}

export function responseOverTheWire(response: ModelInferResponseMessage): ModelInferResponseMessage {
  const method = inferenceService().service.ModelInfer!;
  return method.responseDeserialize(method.responseSerialize(response)) as ModelInferResponseMessage;
}
