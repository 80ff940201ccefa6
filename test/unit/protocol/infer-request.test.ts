import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeInferRequest } from '../../../protocol/infer-request.js';
import { encodeInferResponse } from '../../../protocol/infer-response.js';
import { SwitchyardError } from '../../../protocol/errors.js';
import { fromHalfBits, toHalfBits } from '../../../protocol/float16.js';

function json(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body));
}

function rejects(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SwitchyardError, `expected SwitchyardError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

describe('decodeInferRequest (JSON)', () => {
  it('decodes flat and nested data of every numeric datatype', () => {
    const req = decodeInferRequest(json({
      id: 'r1',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [2, 2], data: [[1, 2], [3, 4.5]] },
        { name: 'b', datatype: 'INT64', shape: [2], data: [1, '9007199254740993'] },
        { name: 'c', datatype: 'BOOL', shape: [2], data: [true, false] },
        { name: 'd', datatype: 'UINT8', shape: [1], data: [255] },
        { name: 'e', datatype: 'BYTES', shape: [1], data: ['hi'] },
        { name: 'f', datatype: 'FP16', shape: [1], data: [1.5] },
      ],
      outputs: [{ name: 'y', parameters: { binary_data: true } }],
    }));
    assert.equal(req.id, 'r1');
    assert.deepEqual(Array.from(req.inputs[0]!.data as Float32Array), [1, 2, 3, 4.5]);
    assert.deepEqual(Array.from(req.inputs[1]!.data as BigInt64Array), [1n, 9007199254740993n]);
    assert.deepEqual(Array.from(req.inputs[2]!.data as Uint8Array), [1, 0]);
    assert.deepEqual(Array.from(req.inputs[3]!.data as Uint8Array), [255]);
    assert.deepEqual(req.inputs[4]!.data, ['hi']);
    assert.equal(fromHalfBits((req.inputs[5]!.data as Uint16Array)[0]!), 1.5);
    assert.deepEqual(req.outputs, [{ name: 'y', binary: true }]);
  });

  it('names the field, the expected and the received value in every error', () => {
    rejects(() => decodeInferRequest(Buffer.from('{"inputs": [')), 'INVALID_JSON',
      `the request body is not valid JSON: ${(() => { try { JSON.parse('{"inputs": ['); } catch (e) { return (e as Error).message; } return ''; })()}`);
    rejects(() => decodeInferRequest(json({})), 'INVALID_REQUEST', 'inputs: expected a non-empty array of tensors, received nothing');
    rejects(() => decodeInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP33', shape: [1], data: [1] }] })), 'DATATYPE_MISMATCH',
      'inputs[0].datatype: expected one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES, received "FP33"');
    rejects(() => decodeInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3] }] })), 'ELEMENT_COUNT_MISMATCH',
      'inputs[0].data: the shape holds 6 elements but 3 were sent');
    rejects(() => decodeInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data: [1, 'a'] }] })), 'INVALID_REQUEST',
      'inputs[0].data[1]: expected a number, received "a"');
    rejects(() => decodeInferRequest(json({ inputs: [{ name: 'x', datatype: 'INT8', shape: [1], data: [300] }] })), 'INVALID_REQUEST',
      'inputs[0].data[0]: expected an INT8 integer (-128..127), received 300');
    rejects(() => decodeInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1], data: [] }] })), 'INVALID_REQUEST',
      'inputs[0].shape: expected an array of non-negative integers, received [-1]');
    rejects(() => decodeInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }] })), 'INVALID_REQUEST',
      "inputs[0].data: missing; send the tensor's elements, or binary_data_size with binary data");
  });
});

describe('binary tensor data extension', () => {
  it('reads binary inputs after the JSON header, in input order', () => {
    const header = json({
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
        { name: 'b', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: 11 } },
      ],
    });
    const a = Buffer.from(new Float32Array([0.25, -2]).buffer);
    const b = Buffer.concat([Buffer.from([2, 0, 0, 0]), Buffer.from('hi'), Buffer.from([1, 0, 0, 0]), Buffer.from('x')]);
    const req = decodeInferRequest(Buffer.concat([header, a, b]), header.length);
    assert.deepEqual(Array.from(req.inputs[0]!.data as Float32Array), [0.25, -2]);
    assert.deepEqual(req.inputs[1]!.data, ['hi', 'x']);
  });

  it('refuses a size that does not match the shape, and bytes no input claims', () => {
    const header = json({ inputs: [{ name: 'a', datatype: 'FP32', shape: [3], parameters: { binary_data_size: 8 } }] });
    rejects(() => decodeInferRequest(Buffer.concat([header, Buffer.alloc(8)]), header.length), 'ELEMENT_COUNT_MISMATCH',
      'inputs[0].data: binary_data_size is 8 bytes but the shape holds 3 FP32 elements (12 bytes)');
    const h2 = json({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4 } }] });
    rejects(() => decodeInferRequest(Buffer.concat([h2, Buffer.alloc(6)]), h2.length), 'INVALID_REQUEST',
      'the body has 2 bytes of binary data that no input claims');
  });

  it('encodes an all-JSON answer as its text, keys in Triton\'s order', () => {
    const out = encodeInferResponse({ model_name: 'm', model_version: '1', id: 'r7' }, [
      { name: 'p', datatype: 'FP32', shape: [1, 2], data: new Float32Array([0.5, 0.25]) },
    ], () => false);
    assert.equal(out.jsonLength, undefined);
    assert.equal(out.body, '{"model_name":"m","model_version":"1","id":"r7","outputs":[{"name":"p","datatype":"FP32","shape":[1,2],"data":[0.5,0.25]}]}');
  });

  it('encodes binary outputs with the JSON length for Inference-Header-Content-Length', () => {
    const out = encodeInferResponse({ model_name: 'm', model_version: '1' }, [
      { name: 'p', datatype: 'FP32', shape: [1, 2], data: new Float32Array([0.5, 0.25]) },
      { name: 'q', datatype: 'INT64', shape: [1], data: new BigInt64Array([7n]) },
    ], (n) => n === 'p');
    if (out.jsonLength === undefined) assert.fail('expected binary outputs');
    const head = JSON.parse(out.body.subarray(0, out.jsonLength).toString());
    assert.deepEqual(head, {
      model_name: 'm', model_version: '1',
      outputs: [
        { name: 'p', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
        { name: 'q', datatype: 'INT64', shape: [1], data: [7] },
      ],
    });
    const tail = out.body.subarray(out.jsonLength);
    assert.deepEqual(Array.from(new Float32Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + 8))), [0.5, 0.25]);
  });
});

describe('float16', () => {
  it('round-trips representable values and rounds others to nearest', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8]) assert.equal(fromHalfBits(toHalfBits(v)), v);
    assert.equal(fromHalfBits(toHalfBits(1e6)), Infinity);
    assert.ok(Number.isNaN(fromHalfBits(toHalfBits(NaN))));
    assert.equal(fromHalfBits(toHalfBits(0.1)), 0.0999755859375);
  });
});
