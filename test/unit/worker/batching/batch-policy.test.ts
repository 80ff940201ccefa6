import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchPolicyFrom, decideBatch, type BatchPolicy } from '../../../../worker/batching/batch-policy.js';

interface Item { id: string; rows: number; shapeKey: string }
const item = (id: string, rows: number, shapeKey = 'k'): Item => ({ id, rows, shapeKey });

const policy: BatchPolicy = { batching: true, maxBatchSize: 8, preferredBatchSizes: [4, 2], maxQueueDelayMicros: 500 };

function decide(entries: Item[], options: { now?: number; oldest?: number; urgent?: boolean; policy?: BatchPolicy } = {}) {
  const decision = decideBatch({ entries, oldestEnqueuedMicros: options.oldest ?? 0, urgent: options.urgent ?? false }, options.policy ?? policy, options.now ?? 0);
  return decision.kind === 'dispatch' ? { kind: decision.kind, reason: decision.reason, ids: decision.batch.map((i) => i.id) } : decision;
}

describe('batchPolicyFrom', () => {
  it('sorts preferred sizes largest first, drops duplicates and sizes above maxBatchSize', () => {
    const p = batchPolicyFrom({
      maxBatchSize: 8,
      dynamicBatching: { preferredBatchSizes: [2, 16, 8, 2, 4], maxQueueDelayMicroseconds: 100, maxQueueSize: 1, timeoutMs: 0, priorityLevels: 1, enabled: true },
    });
    assert.deepEqual(p, { batching: true, maxBatchSize: 8, preferredBatchSizes: [8, 4, 2], maxQueueDelayMicros: 100 });
  });

  it('turns batching off for maxBatchSize 0 and for enabled: false', () => {
    const base = { preferredBatchSizes: [], maxQueueDelayMicroseconds: 100, maxQueueSize: 1, timeoutMs: 0, priorityLevels: 1, enabled: true };
    assert.equal(batchPolicyFrom({ maxBatchSize: 0, dynamicBatching: base }).batching, false);
    assert.equal(batchPolicyFrom({ maxBatchSize: 8, dynamicBatching: { ...base, enabled: false } }).batching, false);
  });
});

describe('decideBatch', () => {
  it('is idle on an empty queue', () => {
    assert.deepEqual(decide([]), { kind: 'idle' });
  });

  it('without batching, the head runs alone at once', () => {
    assert.deepEqual(decide([item('a', 3), item('b', 1)], { policy: { ...policy, batching: false } }), { kind: 'dispatch', reason: 'alone', ids: ['a'] });
  });

  it('dispatches a full batch of exactly maxBatchSize rows', () => {
    assert.deepEqual(decide([item('a', 5), item('b', 3), item('c', 1)]), { kind: 'dispatch', reason: 'full', ids: ['a', 'b'] });
  });

  it('dispatches when the next compatible request does not fit', () => {
    assert.deepEqual(decide([item('a', 5), item('b', 1), item('c', 3)]), { kind: 'dispatch', reason: 'full', ids: ['a', 'b'] });
  });

  it('skips requests of another shape and keeps queue order among the rest', () => {
    assert.deepEqual(decide([item('a', 1), item('b', 1, 'other'), item('c', 3)]), { kind: 'dispatch', reason: 'preferred', ids: ['a', 'c'] });
  });

  it('takes the largest preferred size that a prefix of whole requests forms', () => {
    assert.deepEqual(decide([item('a', 1), item('b', 1), item('c', 2), item('d', 1)]), { kind: 'dispatch', reason: 'preferred', ids: ['a', 'b', 'c'] });
    assert.deepEqual(decide([item('a', 2), item('b', 3)]), { kind: 'dispatch', reason: 'preferred', ids: ['a'] });
  });

  it('waits the rest of the oldest request delay, in microseconds', () => {
    assert.deepEqual(decide([item('a', 3)], { oldest: 100, now: 420 }), { kind: 'wait', delayMicros: 180 });
  });

  it('dispatches what it has once the oldest request has waited maxQueueDelay', () => {
    assert.deepEqual(decide([item('a', 3), item('b', 2)], { oldest: 100, now: 600 }), { kind: 'dispatch', reason: 'delay', ids: ['a', 'b'] });
  });

  it('dispatches at once when urgent (queued while busy, or draining)', () => {
    assert.deepEqual(decide([item('a', 3)], { urgent: true }), { kind: 'dispatch', reason: 'urgent', ids: ['a'] });
  });

  it('a head larger than maxBatchSize goes alone as full (the batcher refuses those earlier)', () => {
    assert.deepEqual(decide([item('a', 9), item('b', 1)]), { kind: 'dispatch', reason: 'full', ids: ['a'] });
  });
});
