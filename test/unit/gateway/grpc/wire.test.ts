import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferenceService } from '../../../../protocol/grpc/load.js';
import type { ModelInferRequestMessage, ModelInferResponseMessage, ModelStreamInferResponseMessage } from '../../../../protocol/grpc/messages.js';
import { readInferRequestHead, rewriteModelRef, WireFormatError, wrapStreamResponse } from '../../../../gateway/grpc/wire.js';

const service = inferenceService().service;
const encode = (m: ModelInferRequestMessage): Buffer => service.ModelInfer!.requestSerialize(m);
const decode = (b: Buffer): ModelInferRequestMessage => service.ModelInfer!.requestDeserialize(b) as ModelInferRequestMessage;

const request: ModelInferRequestMessage = {
  model_name: 'fraud', model_version: '9', id: 'req-ü',
  parameters: { priority: { int64_param: 1 } },
  inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], contents: { fp32_contents: [1, 2, 3, 4, 5, 6] } }],
  outputs: [{ name: 'probabilities' }],
  raw_input_contents: [Buffer.alloc(300, 7)],
};

describe('the gateway\'s protobuf reader and writer', () => {
  it('reads model_name, model_version and id without decoding the tensors', () => {
    assert.deepEqual(readInferRequestHead(encode(request)), { modelName: 'fraud', modelVersion: '9', id: 'req-ü' });
    assert.deepEqual(readInferRequestHead(encode({ model_name: 'iris' })), { modelName: 'iris', modelVersion: '', id: '' });
    assert.deepEqual(readInferRequestHead(Buffer.alloc(0)), { modelName: '', modelVersion: '', id: '' });
  });

  it('rewrites model_name and model_version and keeps every other field as it was', () => {
    const rewritten = decode(rewriteModelRef(encode(request), 'fraud-x', '2'));
    assert.deepEqual(rewritten, decode(encode({ ...request, model_name: 'fraud-x', model_version: '2' })));
    const unversioned = decode(rewriteModelRef(encode(request), 'fraud', ''));
    assert.equal(unversioned.model_version, '');
    assert.equal(unversioned.id, 'req-ü');
    assert.deepEqual(unversioned.raw_input_contents, [Buffer.alloc(300, 7)]);
  });

  it('refuses bytes that are not protobuf', () => {
    assert.throws(() => readInferRequestHead(Buffer.from([0x0a, 0x05, 0x61])), WireFormatError);
    assert.throws(() => readInferRequestHead(Buffer.from([0x0b])), /wire type 3 of field 1 is not supported/);
    assert.throws(() => readInferRequestHead(Buffer.from([0x8a, 0x80])), /a varint runs past its end/);
  });

  it('wraps a serialized ModelInferResponse into a ModelStreamInferResponse', () => {
    const response: ModelInferResponseMessage = { model_name: 'fraud', model_version: '1', id: 'a', outputs: [], raw_output_contents: [Buffer.alloc(200, 1)] };
    const inner = service.ModelInfer!.responseSerialize(response);
    const wrapped = service.ModelStreamInfer!.responseDeserialize(wrapStreamResponse(inner)) as ModelStreamInferResponseMessage;
    assert.equal(wrapped.error_message, '');
    assert.equal(wrapped.infer_response!.model_name, 'fraud');
    assert.deepEqual(wrapped.infer_response!.raw_output_contents, [Buffer.alloc(200, 1)]);
  });
});
