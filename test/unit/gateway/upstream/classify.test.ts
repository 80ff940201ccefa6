import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import { circuitOpen, fallbackUnavailable, noHealthyEndpoint, overloaded, routeNotFound, upstreamTimeout, upstreamUnavailable } from '../../../../gateway/errors.js';
import { classifyError, classifyStatus, countsAgainstBackend, wantsFallback } from '../../../../gateway/upstream/classify.js';

describe('one verdict per response', () => {
  it('classifies upstream statuses', () => {
    assert.deepEqual([200, 204, 301, 400, 404, 429, 500, 502, 503, 504].map(classifyStatus),
      ['success', 'success', 'success', 'success', 'success', 'rejected', 'failure', 'failure', 'rejected', 'timeout']);
  });

  it('classifies errors by their code', () => {
    assert.equal(classifyError(upstreamUnavailable('b', new Error('refused'))), 'failure');
    assert.equal(classifyError(upstreamTimeout('b', new Error('slow'))), 'timeout');
    assert.equal(classifyError(noHealthyEndpoint('b')), 'rejected');
    assert.equal(classifyError(routeNotFound('GET', '/')), 'rejected');
    assert.equal(classifyError(new SwitchyardError('BODY_TOO_LARGE', 413, 'big')), 'rejected');
    assert.equal(classifyError(new Error('bug')), 'failure');
  });

  it('classifies the resilience filters\' own refusals as rejected, held against no backend', () => {
    for (const err of [circuitOpen('b', 5), overloaded('route', 'r', 10, 1), fallbackUnavailable('r', 'why', 1)]) {
      assert.equal(classifyError(err), 'rejected');
      assert.equal(countsAgainstBackend(classifyError(err)), false);
    }
    assert.deepEqual(['success', 'failure', 'timeout', 'rejected', 'cancelled'].map((v) => countsAgainstBackend(v as never)), [false, true, true, false, false]);
  });

  it("answers with a fallback for 5xx and gateway errors, never for the worker's 429 or a 4xx", () => {
    const result = (status: number) => ({ result: { status, headers: {}, body: null } });
    assert.deepEqual([200, 404, 429, 500, 503, 504].map((s) => wantsFallback(result(s))), [false, false, false, true, true, true]);
    assert.equal(wantsFallback({ error: circuitOpen('b', 1) }), true);
    assert.equal(wantsFallback({ error: new SwitchyardError('BODY_TOO_LARGE', 413, 'big') }), false);
  });
});

describe('one verdict per gRPC status', () => {
  it('classifies gRPC status codes as the HTTP statuses they map to', async () => {
    const { classifyGrpcStatus } = await import('../../../../gateway/upstream/classify.js');
    const { status } = await import('@grpc/grpc-js');
    const codes = [status.OK, status.INVALID_ARGUMENT, status.NOT_FOUND, status.RESOURCE_EXHAUSTED, status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.INTERNAL, status.UNKNOWN, status.UNIMPLEMENTED, status.CANCELLED];
    assert.deepEqual(codes.map(classifyGrpcStatus),
      ['success', 'success', 'success', 'rejected', 'rejected', 'timeout', 'failure', 'failure', 'failure', 'cancelled']);
  });
});
