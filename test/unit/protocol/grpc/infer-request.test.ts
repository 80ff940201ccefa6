import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import { decodeGrpcInferRequest } from '../../../../protocol/grpc/infer-request.js';
import type { InferInputTensorMessage, ModelInferRequestMessage } from '../../../../protocol/grpc/messages.js';
import { overTheWire } from './wire.js';

const input = (extra: InferInputTensorMessage): InferInputTensorMessage => ({ name: 'x', datatype: 'FP32', shape: [2], ...extra });

function refusal(message: ModelInferRequestMessage): { code: string; status: number; message: string } {
  try {
    decodeGrpcInferRequest(overTheWire(message));
  } catch (err) {
    assert.ok(err instanceof SwitchyardError, String(err));
    return { code: err.code, status: err.status, message: err.message };
  }
  throw new Error('expected the request to be refused');
}

describe('decodeGrpcInferRequest', () => {
  it('reads model, version, id, parameters (int64 as numbers when safe), outputs and typed inputs', () => {
    const decoded = decodeGrpcInferRequest(overTheWire({
      model_name: 'fraud',
      model_version: '2',
      id: 'abc',
      parameters: { priority: { int64_param: 1 }, timeout: { int64_param: '5000' }, big: { uint64_param: '18446744073709551615' }, flag: { bool_param: false }, ratio: { double_param: 0.5 }, tag: { string_param: 'x' } },
      inputs: [input({ shape: [1, 2], contents: { fp32_contents: [1, 2] } })],
      outputs: [{ name: 'probabilities' }],
    }));
    assert.deepEqual(decoded.parameters, { priority: 1, timeout: 5000, big: '18446744073709551615', flag: false, ratio: 0.5, tag: 'x' });
    assert.deepEqual([decoded.model, decoded.version, decoded.id, decoded.raw], ['fraud', '2', 'abc', false]);
    assert.deepEqual(decoded.outputs, [{ name: 'probabilities', binary: false }]);
    assert.deepEqual(decoded.inputs.map((t) => [t.name, t.datatype, t.shape, Array.from(t.data as Float32Array)]), [['x', 'FP32', [1, 2], [1, 2]]]);
  });

  it('treats an empty version and id as absent', () => {
    const decoded = decodeGrpcInferRequest(overTheWire({ model_name: 'm', inputs: [input({ contents: { fp32_contents: [1, 2] } })] }));
    assert.deepEqual([decoded.version, decoded.id], [undefined, undefined]);
  });

  const cases: [string, ModelInferRequestMessage, string, string][] = [
    ['no inputs', { model_name: 'm' }, 'INVALID_REQUEST', 'inputs: expected a non-empty array of tensors, received []'],
    ['an empty name', { inputs: [input({ name: '', contents: { fp32_contents: [1, 2] } })] }, 'INVALID_REQUEST', 'inputs[0].name: expected a non-empty string, received ""'],
    ['an unknown datatype', { inputs: [input({ datatype: 'FLOAT32' })] }, 'DATATYPE_MISMATCH', 'inputs[0].datatype: expected one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES, received "FLOAT32"'],
    ['a negative dimension', { inputs: [input({ shape: [-1, 2] })] }, 'INVALID_REQUEST', 'inputs[0].shape: expected an array of non-negative integers, received [-1,2]'],
    ['too few elements', { inputs: [input({ contents: { fp32_contents: [1] } })] }, 'ELEMENT_COUNT_MISMATCH', 'inputs[0].contents.fp32_contents: the shape holds 2 elements but 1 were sent'],
    ['no elements', { inputs: [input({})] }, 'INVALID_REQUEST', "inputs[0].contents.fp32_contents: missing; send the tensor's 2 elements there, or every input's bytes in raw_input_contents"],
    ['elements in the wrong field', { inputs: [input({ contents: { fp64_contents: [1, 2] } })] }, 'DATATYPE_MISMATCH', "inputs[0].contents: a FP32 tensor's elements go in fp32_contents, received fp64_contents"],
    ['FP16 in typed contents', { inputs: [input({ datatype: 'FP16', contents: { uint_contents: [1, 2] } })] }, 'INVALID_REQUEST', "inputs[0].contents: FP16 has no typed contents field; send every input's bytes in raw_input_contents"],
    ['an INT8 out of range', { inputs: [input({ datatype: 'INT8', contents: { int_contents: [1, 300] } })] }, 'INVALID_REQUEST', 'inputs[0].contents.int_contents[1]: expected an INT8 integer (-128..127), received 300'],
    ['a UINT16 out of range', { inputs: [input({ datatype: 'UINT16', contents: { uint_contents: [70000, 1] } })] }, 'INVALID_REQUEST', 'inputs[0].contents.uint_contents[0]: expected an UINT16 integer (0..65535), received 70000'],
    ['raw contents of the wrong size', { inputs: [input({})], raw_input_contents: [Buffer.alloc(4)] }, 'ELEMENT_COUNT_MISMATCH', 'raw_input_contents[0]: holds 4 bytes but the shape holds 2 FP32 elements (8 bytes)'],
    ['fewer raw entries than inputs', { inputs: [input({}), input({ name: 'y' })], raw_input_contents: [Buffer.alloc(8)] }, 'INVALID_REQUEST', 'raw_input_contents: holds 1 entries but the request has 2 inputs; send one per input, in the order of inputs'],
    ['typed contents next to raw ones', { inputs: [input({ contents: { fp32_contents: [1, 2] } })], raw_input_contents: [Buffer.alloc(8)] }, 'INVALID_REQUEST', 'inputs[0].contents: must be empty when the message uses raw contents, received fp32_contents'],
    ['a truncated BYTES length prefix', { inputs: [input({ datatype: 'BYTES', shape: [1] })], raw_input_contents: [Buffer.of(1, 0)] }, 'INVALID_REQUEST', 'raw_input_contents[0]: BYTES element 0 has a truncated length prefix'],
    ['BYTES running past their data', { inputs: [input({ datatype: 'BYTES', shape: [1] })], raw_input_contents: [Buffer.of(9, 0, 0, 0, 0x61)] }, 'INVALID_REQUEST', 'raw_input_contents[0]: BYTES element 0 runs past the end of its data'],
    ['too few BYTES elements', { inputs: [input({ datatype: 'BYTES', shape: [2] })], raw_input_contents: [Buffer.of(1, 0, 0, 0, 0x61)] }, 'ELEMENT_COUNT_MISMATCH', 'raw_input_contents[0]: the shape holds 2 elements but 1 were sent'],
  ];
  for (const [what, message, code, text] of cases) {
    it(`refuses ${what} with 400 ${code}`, () => {
      assert.deepEqual(refusal(message), { code, status: 400, message: text });
    });
  }
});
