import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { SwitchyardError } from '../../../../protocol/errors.js';
import { toGrpcStatus, toStreamError } from '../../../../protocol/grpc/status.js';
import { queueFull, requestTimeout, shapeMismatch, shuttingDown, modelNotFound } from '../../../../worker/errors.js';

const view = (err: unknown) => {
  const s = toGrpcStatus(err);
  return { code: s.code, details: s.details, metadata: s.metadata!.getMap() };
};

describe('toGrpcStatus', () => {
  it('maps each HTTP status class to its gRPC code with the same text and the stable code in metadata', () => {
    assert.deepEqual(view(shapeMismatch('input', [-1, 30], [1, 29])), {
      code: Status.INVALID_ARGUMENT,
      details: "input 'input': expected shape [-1,30] (-1 = any size), received [1,29]",
      metadata: { 'switchyard-code': 'SHAPE_MISMATCH' },
    });
    assert.deepEqual(view(modelNotFound('x', ['fraud'])), { code: Status.NOT_FOUND, details: "model 'x' is not served here; models served here: fraud", metadata: { 'switchyard-code': 'MODEL_NOT_FOUND' } });
    assert.deepEqual(view(queueFull('fraud', 8, 1)), {
      code: Status.RESOURCE_EXHAUSTED,
      details: "model 'fraud': the batch queue is full (8 requests waiting); retry after 1s",
      metadata: { 'switchyard-code': 'QUEUE_FULL', 'retry-after': '1' },
    });
    assert.equal(view(shuttingDown()).code, Status.UNAVAILABLE);
    assert.equal(view(requestTimeout('fraud', 5)).code, Status.DEADLINE_EXCEEDED);
    assert.equal(view(new SwitchyardError('BODY_TOO_LARGE', 413, 'too big')).code, Status.INVALID_ARGUMENT);
  });

  it('says nothing internal about an untyped error', () => {
    assert.deepEqual(view(new Error('secret path /etc/x')), {
      code: Status.INTERNAL,
      details: 'internal error; see the server log for details',
      metadata: { 'switchyard-code': 'INTERNAL' },
    });
  });
});

describe('toStreamError', () => {
  it("answers a failed stream request as Triton does, repeating its id and adding the codes", () => {
    assert.deepEqual(toStreamError(shapeMismatch('input', [-1, 30], [1, 29]), { model_name: 'fraud', id: 'r7' }), {
      error_message: "input 'input': expected shape [-1,30] (-1 = any size), received [1,29]",
      infer_response: {
        model_name: 'fraud',
        model_version: '',
        id: 'r7',
        parameters: { error_code: { string_param: 'SHAPE_MISMATCH' }, grpc_status_code: { int64_param: Status.INVALID_ARGUMENT } },
        outputs: [],
        raw_output_contents: [],
      },
    });
  });
});
