import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Datatype } from '../../../../protocol/datatypes.js';
import { decodeGrpcInferRequest, encodeGrpcInferRequest } from '../../../../protocol/grpc/infer-request.js';
import { decodeGrpcInferResponse, encodeGrpcInferResponse } from '../../../../protocol/grpc/infer-response.js';
import { tensorDataToContents } from '../../../../protocol/grpc/tensor-contents.js';
import type { Tensor } from '../../../../protocol/tensor.js';
import { overTheWire, responseOverTheWire } from './wire.js';

/** Two elements per datatype at the edges of its range (shape [2]), BYTES three. */
const SAMPLES: Record<Datatype, Tensor['data']> = {
  BOOL: Uint8Array.of(1, 0),
  UINT8: Uint8Array.of(0, 255),
  UINT16: Uint16Array.of(0, 65535),
  UINT32: Uint32Array.of(0, 4294967295),
  UINT64: BigUint64Array.of(0n, 18446744073709551615n),
  INT8: Int8Array.of(-128, 127),
  INT16: Int16Array.of(-32768, 32767),
  INT32: Int32Array.of(-2147483648, 2147483647),
  INT64: BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n),
  FP16: Uint16Array.of(0x3c00, 0xc000),
  FP32: Float32Array.of(1.5, Math.fround(-3.4e38)),
  FP64: Float64Array.of(Math.PI, -1e300),
  BYTES: ['', 'héllo', 'a\u0000b'],
};

const tensor = (datatype: Datatype): Tensor => {
  const data = SAMPLES[datatype];
  return { name: `t_${datatype}`, datatype, shape: [data.length], data };
};

const plain = (t: Tensor) => ({ ...t, data: Array.from(t.data as ArrayLike<unknown>) });

describe('gRPC tensor codecs', () => {
  for (const datatype of Object.keys(SAMPLES) as Datatype[]) {
    for (const raw of [false, true]) {
      it(`${datatype} survives a request and a response ${raw ? 'in raw contents' : 'in typed contents'} over the wire`, () => {
        const t = tensor(datatype);
        const request = overTheWire(encodeGrpcInferRequest({ model_name: 'm' }, [t], { raw }));
        const forcedRaw = raw || datatype === 'FP16';
        assert.equal(request.raw_input_contents!.length, forcedRaw ? 1 : 0);
        const decoded = decodeGrpcInferRequest(request);
        assert.equal(decoded.raw, forcedRaw);
        assert.deepEqual(decoded.inputs.map(plain), [plain(t)]);
        assert.equal(decoded.inputs[0]!.data.constructor, t.data.constructor);

        const response = responseOverTheWire(encodeGrpcInferResponse({ model_name: 'm', model_version: '1' }, [t], { raw }));
        assert.equal(response.raw_output_contents!.length, forcedRaw ? 1 : 0);
        assert.equal(response.outputs![0]!.contents === null, forcedRaw);
        assert.deepEqual(decodeGrpcInferResponse(response).outputs.map(plain), [plain(t)]);
      });
    }
  }

  it('puts each datatype in its typed field, 64-bit integers as decimal strings and BYTES as bytes', () => {
    assert.deepEqual(tensorDataToContents(SAMPLES.BOOL, 'BOOL'), { bool_contents: [true, false] });
    assert.deepEqual(tensorDataToContents(SAMPLES.INT8, 'INT8'), { int_contents: [-128, 127] });
    assert.deepEqual(tensorDataToContents(SAMPLES.UINT16, 'UINT16'), { uint_contents: [0, 65535] });
    assert.deepEqual(tensorDataToContents(SAMPLES.INT64, 'INT64'), { int64_contents: ['-9223372036854775808', '9223372036854775807'] });
    assert.deepEqual(tensorDataToContents(SAMPLES.UINT64, 'UINT64'), { uint64_contents: ['0', '18446744073709551615'] });
    assert.deepEqual(tensorDataToContents(SAMPLES.FP64, 'FP64'), { fp64_contents: [Math.PI, -1e300] });
    assert.deepEqual(tensorDataToContents(['hé'], 'BYTES'), { bytes_contents: [Buffer.from('hé')] });
    assert.throws(() => tensorDataToContents(SAMPLES.FP16, 'FP16'), /FP16 has no typed contents field/);
  });

  it('lays raw contents out little-endian, BYTES with a 4-byte length prefix (the REST binary layout)', () => {
    const request = encodeGrpcInferRequest({ model_name: 'm' }, [
      { name: 'a', datatype: 'INT32', shape: [2], data: Int32Array.of(1, -2) },
      { name: 'b', datatype: 'BYTES', shape: [2], data: ['hi', ''] },
    ], { raw: true });
    assert.deepEqual(request.raw_input_contents!.map((b) => Buffer.from(b).toString('hex')), ['01000000feffffff', '02000000686900000000']);
    assert.deepEqual(request.inputs!.map((i) => i.contents), [undefined, undefined]);
  });
});
