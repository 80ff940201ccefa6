import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import { harness, settle } from './batcher-harness.js';

function assertCode(error: unknown, code: string, status: number): SwitchyardError {
  assert.ok(error instanceof SwitchyardError, `expected a SwitchyardError, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.equal(error.status, status);
  return error;
}

describe('DynamicBatcher', () => {
  it('dispatches as soon as maxBatchSize rows are queued', async () => {
    const h = harness({ maxBatchSize: 4, maxQueueDelayMicroseconds: 1000 });
    void h.submit('a'); void h.submit('b', 2);
    assert.deepEqual(h.formed(), []);
    assert.deepEqual(h.clock.pending(), [1000]);
    const last = h.submit('c');
    assert.deepEqual(h.formed(), [['a', 'b', 'c']]);
    assert.deepEqual(h.clock.pending(), [], 'no delay timer once dispatched');
    h.batches[0]!.succeed();
    assert.equal(await last, 'c:done');
    assert.deepEqual(h.recorded.executed.map((b) => [b.rows, b.requests]), [[4, 3]]);
  });

  it('closes a batch when the next request would pass maxBatchSize, and never splits a request', async () => {
    const h = harness({ maxBatchSize: 4, maxQueueDelayMicroseconds: 1000 });
    void h.submit('a', 3);
    void h.submit('b', 2);
    assert.deepEqual(h.formed(), [['a']]);
    h.clock.advance(300);
    h.batches[0]!.succeed();
    await settle();
    // b has waited 300 µs of its 1000 µs: the timer is armed for exactly the rest.
    assert.deepEqual(h.clock.armed, [1000, 700]);
    h.clock.advance(699);
    assert.equal(h.formed().length, 1);
    h.clock.advance(1);
    assert.deepEqual(h.formed(), [['a'], ['b']]);
  });

  it('throws when one request has more rows than maxBatchSize (validation refuses those upstream)', () => {
    const h = harness({ maxBatchSize: 4 });
    assert.throws(() => h.batcher.submit('big', { rows: 5, shapeKey: 'k' }), /5 rows exceeds maxBatchSize 4/);
    assert.equal(h.batcher.queueDepth, 0);
  });

  it('dispatches the largest preferred batch that whole requests form exactly', async () => {
    const h = harness({ maxBatchSize: 8, preferredBatchSizes: [2, 4], maxQueueDelayMicroseconds: 1000, instances: 2 });
    void h.submit('a');
    void h.submit('b', 2); // rows 1, 3: no preferred size yet
    assert.deepEqual(h.formed(), []);
    void h.submit('c'); // rows 1, 3, 4: 4 is preferred
    assert.deepEqual(h.formed(), [['a', 'b', 'c']]);

    void h.submit('d');
    void h.submit('e'); // 2 is preferred
    assert.deepEqual(h.formed(), [['a', 'b', 'c'], ['d', 'e']]);
  });

  it('prefers 4 over 2 and leaves the rest queued when the queue holds 5 rows', async () => {
    const h = harness({ maxBatchSize: 8, preferredBatchSizes: [2, 4], maxQueueDelayMicroseconds: 1000 });
    void h.submit('x', 8);
    for (const id of ['a', 'b']) void h.submit(id);
    void h.submit('c', 2);
    void h.submit('d');
    h.batches[0]!.succeed();
    await settle();
    assert.deepEqual(h.formed(), [['x'], ['a', 'b', 'c']]);
    assert.equal(h.batcher.queueDepth, 1);
  });

  it('waits maxQueueDelayMicroseconds from the oldest request, then dispatches what is queued', async () => {
    const h = harness({ maxBatchSize: 8, maxQueueDelayMicroseconds: 1000 });
    const a = h.submit('a');
    h.clock.advance(400);
    void h.submit('b', 2);
    assert.deepEqual(h.clock.armed, [1000], 'the timer for the oldest request is kept, not re-armed');
    h.clock.advance(599);
    assert.deepEqual(h.formed(), []);
    h.clock.advance(1);
    assert.deepEqual(h.formed(), [['a', 'b']]);
    h.clock.advance(250);
    h.batches[0]!.succeed();
    await a;
    assert.deepEqual(h.recorded.executed, [{ rows: 3, requests: 2, queueSeconds: [0.001, 0.0006], computeSeconds: 0.00025 }]);
  });

  it('takes requests that queued while every instance was busy at once when one frees', async () => {
    const h = harness({ maxBatchSize: 8, maxQueueDelayMicroseconds: 1000 });
    void h.submit('x', 8);
    h.clock.advance(100);
    void h.submit('a');
    void h.submit('b', 2);
    assert.deepEqual(h.clock.pending(), [], 'no timer while all instances are busy');
    h.clock.advance(100);
    h.batches[0]!.succeed();
    await settle();
    assert.deepEqual(h.formed(), [['x'], ['a', 'b']]);
    assert.deepEqual(h.clock.armed, []);
  });

  it('refuses past maxQueueSize with 429 and Retry-After 1 s', async () => {
    const h = harness({ maxQueueSize: 2, maxBatchSize: 4 });
    void h.submit('x', 4);
    void h.submit('a');
    void h.submit('b');
    const error = await h.submit('c').catch((e: unknown) => e);
    const typed = assertCode(error, 'QUEUE_FULL', 429);
    assert.equal(typed.retryAfterSeconds, 1);
    assert.match(typed.message, /queue is full \(2 requests waiting\)/);
    assert.deepEqual(h.recorded.rejected, ['queue_full']);
    assert.equal(h.batcher.queueDepth, 2);
  });

  it('rejects a request still queued at its timeout and never runs it', async () => {
    const h = harness({ maxBatchSize: 4, timeoutMs: 5 });
    void h.submit('x', 4);
    const a = h.submit('a');
    const b = h.submit('b', 1, { timeoutMs: 0 }); // 0: no timeout, overrides the default
    const c = h.submit('c', 1, { timeoutMs: 2 });
    h.clock.advance(2000);
    assertCode(await c.catch((e: unknown) => e), 'REQUEST_TIMEOUT', 504);
    h.clock.advance(3000);
    const error = assertCode(await a.catch((e: unknown) => e), 'REQUEST_TIMEOUT', 504);
    assert.match(error.message, /timeout of 5 ms/);
    h.batches[0]!.succeed();
    await settle();
    assert.deepEqual(h.formed(), [['x'], ['b']]);
    h.batches[1]!.succeed();
    assert.equal(await b, 'b:done');
    assert.deepEqual(h.recorded.rejected, ['timeout', 'timeout']);
  });

  it('a timeout does not touch a request that is already running', async () => {
    const h = harness({ maxBatchSize: 4, maxQueueDelayMicroseconds: 0 });
    const a = h.submit('a', 1, { timeoutMs: 1 });
    assert.deepEqual(h.formed(), [['a']]);
    h.clock.advance(5000);
    h.batches[0]!.succeed();
    assert.equal(await a, 'a:done');
  });

  it('removes a queued request when its signal aborts, and refuses an already aborted one', async () => {
    const h = harness({ maxBatchSize: 4 });
    void h.submit('x', 4);
    const controller = new AbortController();
    const a = h.submit('a', 1, { signal: controller.signal });
    void h.submit('b');
    h.clock.advance(3000);
    controller.abort();
    const error = assertCode(await a.catch((e: unknown) => e), 'REQUEST_TIMEOUT', 504);
    assert.match(error.message, /cancelled after 3 ms in the queue/);
    assertCode(await h.submit('c', 1, { signal: AbortSignal.abort() }).catch((e: unknown) => e), 'REQUEST_TIMEOUT', 504);
    h.batches[0]!.succeed();
    await settle();
    assert.deepEqual(h.formed(), [['x'], ['b']]);
    assert.deepEqual(h.recorded.rejected, ['cancelled', 'cancelled']);
  });

  it('serves priority 1 first, first-come within a level, and defaults to the middle level', async () => {
    const h = harness({ maxBatchSize: 1, priorityLevels: 3 });
    void h.submit('x');
    void h.submit('low', 1, { priority: 3 });
    void h.submit('mid', 1, { priority: 2 });
    void h.submit('default');
    void h.submit('high', 1, { priority: 1 });
    for (let i = 0; i < 4; i++) {
      h.batches[i]!.succeed();
      await settle();
    }
    assert.deepEqual(h.formed(), [['x'], ['high'], ['mid'], ['default'], ['low']]);
    assertCode(await h.submit('bad', 1, { priority: 4 }).catch((e: unknown) => e), 'INVALID_REQUEST', 400);
  });

  it('does not merge requests whose non-batch dims differ', async () => {
    const h = harness({ maxBatchSize: 8 });
    void h.submit('x', 8);
    void h.submit('a', 1, { shapeKey: 'in:FP32:30' });
    void h.submit('b', 1, { shapeKey: 'in:FP32:31' });
    void h.submit('c', 2, { shapeKey: 'in:FP32:30' });
    h.batches[0]!.succeed();
    await settle();
    h.batches[1]!.succeed();
    await settle();
    assert.deepEqual(h.formed(), [['x'], ['a', 'c'], ['b']]);
  });

  it('maxBatchSize 0: every request runs alone, as soon as an instance is free', async () => {
    const h = harness({ maxBatchSize: 0, maxQueueDelayMicroseconds: 1000 });
    void h.submit('a');
    void h.submit('b');
    void h.submit('c');
    assert.deepEqual(h.formed(), [['a']]);
    h.batches[0]!.succeed();
    await settle();
    h.batches[1]!.succeed();
    await settle();
    assert.deepEqual(h.formed(), [['a'], ['b'], ['c']]);
    assert.deepEqual(h.clock.armed, []);
    assert.deepEqual(h.recorded.executed.map((b) => b.rows), [1, 1]);
  });

  it('batching disabled: one request per batch, still queued for a free instance', async () => {
    const h = harness({ maxBatchSize: 8, enabled: false, instances: 2 });
    void h.submit('a', 2);
    void h.submit('b', 3);
    void h.submit('c', 1);
    assert.deepEqual(h.formed(), [['a'], ['b']]);
    assert.equal(h.batcher.queueDepth, 1);
    h.batches[1]!.succeed();
    await settle();
    assert.deepEqual(h.formed(), [['a'], ['b'], ['c']]);
    assert.equal(h.batches[2]!.instance, 1, 'c runs on the instance b freed');
    assert.deepEqual(h.recorded.executed.map((b) => b.rows), [3]);
  });

  it('a failed batch rejects only its own callers, and the next batch runs', async () => {
    const h = harness({ maxBatchSize: 2 });
    const a = h.submit('a');
    const b = h.submit('b');
    const c = h.submit('c');
    const boom = new Error('bad feed');
    h.batches[0]!.fail(boom);
    assert.equal(await a.catch((e: unknown) => e), boom);
    assert.equal(await b.catch((e: unknown) => e), boom);
    h.clock.advance(1000);
    h.batches[1]!.succeed();
    assert.equal(await c, 'c:done');
    assert.deepEqual(h.recorded.rejected, ['inference_failed', 'inference_failed']);
  });

  it('reports queue depth on every change', async () => {
    const h = harness({ maxBatchSize: 2 });
    void h.submit('a');
    void h.submit('b');
    void h.submit('c');
    assert.deepEqual(h.recorded.depths, [1, 2, 0, 1]);
  });

  it('close(): refuses new requests, runs queued ones without waiting, resolves after the last answer', async () => {
    const h = harness({ maxBatchSize: 8, maxQueueDelayMicroseconds: 1000, instances: 2 });
    void h.submit('x', 8);
    const a = h.submit('a');
    assert.deepEqual(h.clock.pending(), [1000]);
    let closed = false;
    const closing = h.batcher.close().then(() => { closed = true; });
    assert.deepEqual(h.formed(), [['x'], ['a']], 'queued work goes at once when draining');
    assertCode(await h.submit('late').catch((e: unknown) => e), 'SHUTTING_DOWN', 503);
    assert.deepEqual(h.recorded.rejected, ['shutting_down']);
    h.batches[1]!.succeed();
    assert.equal(await a, 'a:done');
    await settle();
    assert.equal(closed, false, 'x is still running');
    h.batches[0]!.succeed();
    await closing;
    assert.equal(closed, true);
  });
});
