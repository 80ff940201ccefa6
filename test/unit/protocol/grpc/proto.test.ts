import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { protoPath } from '../../../../protocol/grpc/load.js';

/** name → [number, type, repeated] of every field of a message. */
function fields(root: protobuf.Root, message: string): Record<string, [number, string, boolean]> {
  const type = root.lookupType(message);
  return Object.fromEntries(type.fieldsArray.map((f) => [f.name, [f.id, f instanceof protobuf.MapField ? `map<${f.keyType},${f.type}>` : f.type, f.repeated]]));
}

// The published numbers (KServe v2 / Triton grpc_service.proto): a change here breaks every
// Triton, KServe and MLServer client, so this test pins them.
describe('protocol/grpc_service.proto is wire-compatible with the published inference.GRPCInferenceService', () => {
  const root = new protobuf.Root().loadSync(protoPath('grpc_service.proto'), { keepCase: true });

  it('declares the service methods with their request and response types', () => {
    const service = root.lookupService('inference.GRPCInferenceService');
    const methods = Object.fromEntries(service.methodsArray.map((m) => [m.name, [m.requestType, m.responseType, m.requestStream === true, m.responseStream === true]]));
    assert.deepEqual(methods, {
      ServerLive: ['ServerLiveRequest', 'ServerLiveResponse', false, false],
      ServerReady: ['ServerReadyRequest', 'ServerReadyResponse', false, false],
      ModelReady: ['ModelReadyRequest', 'ModelReadyResponse', false, false],
      ServerMetadata: ['ServerMetadataRequest', 'ServerMetadataResponse', false, false],
      ModelMetadata: ['ModelMetadataRequest', 'ModelMetadataResponse', false, false],
      ModelInfer: ['ModelInferRequest', 'ModelInferResponse', false, false],
      ModelStreamInfer: ['ModelInferRequest', 'ModelStreamInferResponse', true, true],
    });
  });

  it('numbers the fields as published', () => {
    assert.deepEqual(fields(root, 'inference.ServerLiveResponse'), { live: [1, 'bool', false] });
    assert.deepEqual(fields(root, 'inference.ServerReadyResponse'), { ready: [1, 'bool', false] });
    assert.deepEqual(fields(root, 'inference.ModelReadyRequest'), { name: [1, 'string', false], version: [2, 'string', false] });
    assert.deepEqual(fields(root, 'inference.ModelReadyResponse'), { ready: [1, 'bool', false] });
    assert.deepEqual(fields(root, 'inference.ServerMetadataResponse'), { name: [1, 'string', false], version: [2, 'string', false], extensions: [3, 'string', true] });
    assert.deepEqual(fields(root, 'inference.ModelMetadataRequest'), { name: [1, 'string', false], version: [2, 'string', false] });
    assert.deepEqual(fields(root, 'inference.ModelMetadataResponse'), {
      name: [1, 'string', false], versions: [2, 'string', true], platform: [3, 'string', false], inputs: [4, 'TensorMetadata', true], outputs: [5, 'TensorMetadata', true],
    });
    assert.deepEqual(fields(root, 'inference.ModelMetadataResponse.TensorMetadata'), { name: [1, 'string', false], datatype: [2, 'string', false], shape: [3, 'int64', true] });
    assert.deepEqual(fields(root, 'inference.InferParameter'), {
      bool_param: [1, 'bool', false], int64_param: [2, 'int64', false], string_param: [3, 'string', false], double_param: [4, 'double', false], uint64_param: [5, 'uint64', false],
    });
    assert.deepEqual(root.lookupType('inference.InferParameter').oneofsArray.map((o) => [o.name, o.oneof]), [['parameter_choice', ['bool_param', 'int64_param', 'string_param', 'double_param', 'uint64_param']]]);
    assert.deepEqual(fields(root, 'inference.InferTensorContents'), {
      bool_contents: [1, 'bool', true], int_contents: [2, 'int32', true], int64_contents: [3, 'int64', true], uint_contents: [4, 'uint32', true],
      uint64_contents: [5, 'uint64', true], fp32_contents: [6, 'float', true], fp64_contents: [7, 'double', true], bytes_contents: [8, 'bytes', true],
    });
    assert.deepEqual(fields(root, 'inference.ModelInferRequest'), {
      model_name: [1, 'string', false], model_version: [2, 'string', false], id: [3, 'string', false], parameters: [4, 'map<string,InferParameter>', false],
      inputs: [5, 'InferInputTensor', true], outputs: [6, 'InferRequestedOutputTensor', true], raw_input_contents: [7, 'bytes', true],
    });
    assert.deepEqual(fields(root, 'inference.ModelInferRequest.InferInputTensor'), {
      name: [1, 'string', false], datatype: [2, 'string', false], shape: [3, 'int64', true], parameters: [4, 'map<string,InferParameter>', false], contents: [5, 'InferTensorContents', false],
    });
    assert.deepEqual(fields(root, 'inference.ModelInferRequest.InferRequestedOutputTensor'), { name: [1, 'string', false], parameters: [2, 'map<string,InferParameter>', false] });
    assert.deepEqual(fields(root, 'inference.ModelInferResponse'), {
      model_name: [1, 'string', false], model_version: [2, 'string', false], id: [3, 'string', false], parameters: [4, 'map<string,InferParameter>', false],
      outputs: [5, 'InferOutputTensor', true], raw_output_contents: [6, 'bytes', true],
    });
    assert.deepEqual(fields(root, 'inference.ModelInferResponse.InferOutputTensor'), {
      name: [1, 'string', false], datatype: [2, 'string', false], shape: [3, 'int64', true], parameters: [4, 'map<string,InferParameter>', false], contents: [5, 'InferTensorContents', false],
    });
    assert.deepEqual(fields(root, 'inference.ModelStreamInferResponse'), { error_message: [1, 'string', false], infer_response: [2, 'ModelInferResponse', false] });
  });
});

describe('protocol/health.proto is the standard grpc.health.v1', () => {
  const root = new protobuf.Root().loadSync(protoPath('health.proto'), { keepCase: true });

  it('declares Check and Watch with the standard messages and statuses', () => {
    const service = root.lookupService('grpc.health.v1.Health');
    assert.deepEqual(service.methodsArray.map((m) => [m.name, m.requestType, m.responseType, m.responseStream === true]), [
      ['Check', 'HealthCheckRequest', 'HealthCheckResponse', false],
      ['Watch', 'HealthCheckRequest', 'HealthCheckResponse', true],
    ]);
    assert.deepEqual(fields(root, 'grpc.health.v1.HealthCheckRequest'), { service: [1, 'string', false] });
    assert.deepEqual(fields(root, 'grpc.health.v1.HealthCheckResponse'), { status: [1, 'ServingStatus', false] });
    assert.deepEqual({ ...root.lookupEnum('grpc.health.v1.HealthCheckResponse.ServingStatus').values }, { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 });
  });
});
