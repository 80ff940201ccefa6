import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { Metadata, status as Status } from '@grpc/grpc-js';
import { inferenceService } from '../../../../protocol/grpc/load.js';
import { silentLogger } from '../../../../observability/logger.js';
import { dispatchModelCall, type GrpcCallIn } from '../../../../gateway/grpc/dispatch.js';
import { upstreamUnavailable } from '../../../../gateway/errors.js';
import type { RequestRecorder } from '../../../../gateway/metrics.js';
import type { Assignment, RequestContext } from '../../../../gateway/pipeline/context.js';
import type { Next } from '../../../../gateway/pipeline/filter.js';
import type { GatewayRuntime } from '../../../../gateway/runtime.js';
import type { CompiledBackend } from '../../../../gateway/upstream/backend.js';
import type { Verdict } from '../../../../gateway/upstream/classify.js';

const INFER = inferenceService().service.ModelInfer!;
const backend: CompiledBackend = { name: 'fraud-v2', model: 'fraud', version: '2', endpoints: [] };
const assignment: Assignment = { backend, variant: 'treatment' };

/** A runtime with one route whose chain is `handler`, recording verdicts per recorder. */
function fixture(handler: Next) {
  const recorded: [string, Verdict][] = [];
  const recorder = (name: string): RequestRecorder => ({ record: (verdict) => void recorded.push([name, verdict]) });
  const route = {
    name: 'fraud', match: { pathPrefix: '/v2/models/fraud' }, handler,
    recorders: new Map([[assignment, recorder('fraud/fraud-v2/treatment')]]), unassigned: recorder('fraud/unassigned'),
  };
  const runtime = { draining: false, current: { routes: [route] } } as unknown as GatewayRuntime;
  return { recorded, deps: { runtime, noRoute: recorder('no-route'), log: silentLogger(), scheme: 'http' as const } };
}

function call(model: string, metadata: Record<string, string> = {}): GrpcCallIn {
  const md = new Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return {
    kind: 'infer', method: INFER.path, message: INFER.requestSerialize({ model_name: model, id: 'x', inputs: [] }), metadata: md,
    headers: Object.fromEntries(Object.entries(metadata)), deadline: Infinity, call: new EventEmitter(), peer: '127.0.0.1:1',
  };
}

describe('a gRPC call through a route\'s chain', () => {
  it('runs the chain with the message in ctx.body and ctx.grpc set, and answers its bytes with where it went', async () => {
    let seen: RequestContext | undefined;
    const { deps, recorded } = fixture(async (ctx) => {
      seen = ctx;
      ctx.assignment = assignment;
      return { status: 200, headers: { 'grpc-status': '0' }, body: Buffer.from('answer') };
    });
    const outcome = await dispatchModelCall(deps, call('fraud', { 'x-request-id': 'r1', 'x-user-id': 'u7' }));
    assert.ok(outcome.ok);
    assert.equal(outcome.body.toString(), 'answer');
    assert.equal(seen!.path, '/v2/models/fraud/infer');
    assert.equal(seen!.headers['x-user-id'], 'u7');
    assert.equal(seen!.grpc!.method, '/inference.GRPCInferenceService/ModelInfer');
    assert.deepEqual(INFER.requestDeserialize(seen!.body!), INFER.requestDeserialize(call('fraud').message));
    assert.deepEqual(outcome.responseMetadata.getMap(), {
      'x-request-id': 'r1', 'x-switchyard-route': 'fraud', 'x-switchyard-backend': 'fraud-v2', 'x-switchyard-version': '2', 'x-switchyard-variant': 'treatment',
    });
    assert.deepEqual(recorded, [['fraud/fraud-v2/treatment', 'success']]);
  });

  it('passes a worker\'s status and trailers through, with the verdict of its code', async () => {
    const { deps, recorded } = fixture(async (ctx) => {
      ctx.assignment = assignment;
      return { status: 429, headers: { 'grpc-status': String(Status.RESOURCE_EXHAUSTED), 'grpc-message': 'queue full', 'switchyard-code': 'QUEUE_FULL', 'retry-after': '1' }, body: null };
    });
    const outcome = await dispatchModelCall(deps, call('fraud'));
    assert.ok(!outcome.ok);
    assert.equal(outcome.code, Status.RESOURCE_EXHAUSTED);
    assert.equal(outcome.error.message, 'queue full');
    assert.deepEqual(outcome.trailers.getMap(), { 'switchyard-code': 'QUEUE_FULL', 'retry-after': '1' });
    assert.deepEqual(recorded, [['fraud/fraud-v2/treatment', 'rejected']]);
  });

  it('answers a result with no gRPC form (an HTTP-only fallback) INTERNAL NO_GRPC_FORM', async () => {
    const { deps } = fixture(async (ctx) => {
      ctx.assignment = assignment;
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"static":true}') };
    });
    const outcome = await dispatchModelCall(deps, call('fraud'));
    assert.ok(!outcome.ok);
    assert.equal(outcome.code, Status.INTERNAL);
    assert.equal(outcome.error.code, 'NO_GRPC_FORM');
  });

  it('turns a typed error from the chain into its status, and counts a call no route takes', async () => {
    const { deps, recorded } = fixture(async (ctx) => {
      ctx.assignment = assignment;
      throw upstreamUnavailable('fraud-v2', new Error('refused'));
    });
    const failed = await dispatchModelCall(deps, call('fraud'));
    assert.ok(!failed.ok);
    assert.equal(failed.code, Status.UNAVAILABLE);
    assert.equal(failed.trailers.get('switchyard-code')[0], 'UPSTREAM_UNAVAILABLE');
    assert.equal(failed.responseMetadata.get('x-switchyard-backend')[0], 'fraud-v2');
    const unrouted = await dispatchModelCall(deps, call('iris'));
    assert.ok(!unrouted.ok);
    assert.equal(unrouted.code, Status.NOT_FOUND);
    assert.deepEqual(recorded, [['fraud/fraud-v2/treatment', 'failure'], ['no-route', 'rejected']]);
  });
});
