import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import type { GrpcChannels } from '../../../../gateway/grpc/channels.js';
import { forwardGrpc } from '../../../../gateway/grpc/forward.js';
import type { HealthTransition } from '../../../../gateway/health/prober.js';
import type { RequestContext } from '../../../../gateway/pipeline/context.js';
import { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';

type Answer = { readonly error: Partial<ServiceError> } | { readonly response: Buffer };

/** A channel book whose clients answer from a script per address, and record who was called. */
function scriptedChannels(answers: Record<string, Answer>, called: string[]): GrpcChannels {
  const clientFor = (address: string): Client => ({
    makeUnaryRequest(_method: string, _ser: unknown, _de: unknown, _msg: Buffer, _md: Metadata, _opts: unknown, callback: (err: ServiceError | null, res?: Buffer) => void) {
      called.push(address);
      const answer = answers[address]!;
      queueMicrotask(() => ('error' in answer ? callback(answer.error as ServiceError) : callback(null, answer.response)));
      return { cancel: () => undefined };
    },
  }) as unknown as Client;
  return { get: clientFor } as unknown as GrpcChannels;
}

function shuttingDown(): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set('switchyard-code', 'SHUTTING_DOWN');
  return { code: status.UNAVAILABLE, details: 'the worker is shutting down; send the request to another replica', metadata };
}

const refused: Partial<ServiceError> = {
  code: status.UNAVAILABLE, details: 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1', metadata: new Metadata(),
};

function inferCall(endpoints: readonly UpstreamEndpoint[]): RequestContext {
  return {
    path: '/v2/models/iris/infer',
    requestId: 'r1',
    body: Buffer.alloc(0),
    assignment: { backend: { name: 'iris', model: 'iris', version: '1', endpoints } },
    grpc: { method: '/inference.GRPCInferenceService/ModelInfer', metadata: new Metadata(), deadline: Infinity, call: new EventEmitter() },
  } as unknown as RequestContext;
}

describe('forwardGrpc when a worker is leaving', () => {
  const origins = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'];
  const addresses = new Map([[origins[0]!, 'a:1'], [origins[1]!, 'b:1']]);
  // random() 0 picks the first candidate, so the leaving worker is always tried first.
  const first = (): number => 0;

  it('sends a call a draining worker refused unprocessed (SHUTTING_DOWN) to another endpoint', async () => {
    const endpoints = origins.map((o) => new UpstreamEndpoint(o));
    const called: string[] = [];
    const forward = forwardGrpc({
      channels: scriptedChannels({ 'a:1': { error: shuttingDown() }, 'b:1': { response: Buffer.from('ok') } }, called),
      addresses, random: first, onConnectError: () => assert.fail('no connect error'),
    });
    const result = await forward(inferCall(endpoints));
    assert.equal(result.status, 200);
    assert.deepEqual(called, ['a:1', 'b:1']);
    // Draining is no health verdict: the endpoint stays in rotation until its probe says otherwise.
    assert.equal(endpoints[0]!.healthy, undefined);
    assert.deepEqual(endpoints.map((e) => e.inFlight), [0, 0]);
  });

  it("answers the worker's own 503 when every endpoint is draining", async () => {
    const endpoints = origins.map((o) => new UpstreamEndpoint(o));
    const called: string[] = [];
    const forward = forwardGrpc({
      channels: scriptedChannels({ 'a:1': { error: shuttingDown() }, 'b:1': { error: shuttingDown() } }, called),
      addresses, random: first, onConnectError: () => assert.fail('no connect error'),
    });
    const result = await forward(inferCall(endpoints));
    assert.equal(result.status, 503);
    assert.equal(result.headers['switchyard-code'], 'SHUTTING_DOWN');
    assert.deepEqual(called, ['a:1', 'b:1']);
  });

  it('sends a refused call to another endpoint and takes the refusing one out of rotation at once', async () => {
    const endpoints = origins.map((o) => new UpstreamEndpoint(o));
    const called: string[] = [];
    const connectErrors: string[] = [];
    const changes: [string, HealthTransition][] = [];
    const forward = forwardGrpc({
      channels: scriptedChannels({ 'a:1': { error: refused }, 'b:1': { response: Buffer.from('ok') } }, called),
      addresses, random: first, now: () => 42_000,
      onConnectError: (b) => connectErrors.push(b),
      onOutOfRotation: (e, change) => changes.push([e.origin, change]),
    });
    assert.equal((await forward(inferCall(endpoints))).status, 200);
    assert.equal((await forward(inferCall(endpoints))).status, 200);
    assert.deepEqual(called, ['a:1', 'b:1', 'b:1']);
    assert.deepEqual(connectErrors, ['iris']);
    assert.deepEqual(changes, [[origins[0], { from: 'unknown', to: 'down', reason: 'connect ECONNREFUSED' }]]);
    assert.equal(endpoints[0]!.healthSince, 42_000);
  });

  it('fails with 502 UPSTREAM_UNAVAILABLE when no endpoint can be reached', async () => {
    const endpoints = origins.map((o) => new UpstreamEndpoint(o));
    const called: string[] = [];
    const forward = forwardGrpc({
      channels: scriptedChannels({ 'a:1': { error: refused }, 'b:1': { error: refused } }, called),
      addresses, random: first, onConnectError: () => undefined,
    });
    await assert.rejects(forward(inferCall(endpoints)), (err: { code: string; status: number }) => err.code === 'UPSTREAM_UNAVAILABLE' && err.status === 502);
    // Both tried; the last one stays in rotation, so the breaker and fallback still see the failure.
    assert.deepEqual(called, ['a:1', 'b:1']);
    assert.deepEqual(endpoints.map((e) => e.healthy), [false, undefined]);
  });
});
