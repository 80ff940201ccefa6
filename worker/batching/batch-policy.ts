import type { ModelConfig } from '../repository/model-config.js';

/** The batching rules of one model version, fixed when the version loads. */
export interface BatchPolicy {
  /** False when the model has no batch dim (maxBatchSize 0) or batching is switched off: every request runs alone. */
  readonly batching: boolean;
  /** Most rows (dim 0) one batch may hold. */
  readonly maxBatchSize: number;
  /** Batch sizes worth dispatching at once, largest first, none above maxBatchSize. */
  readonly preferredBatchSizes: readonly number[];
  /** How long the oldest request may wait for company, in microseconds. */
  readonly maxQueueDelayMicros: number;
}

export function batchPolicyFrom(config: Pick<ModelConfig, 'maxBatchSize' | 'dynamicBatching'>): BatchPolicy {
  const { maxBatchSize, dynamicBatching } = config;
  const preferred = [...new Set(dynamicBatching.preferredBatchSizes)]
    .filter((size) => size <= maxBatchSize)
    .sort((a, b) => b - a);
  return {
    batching: maxBatchSize > 0 && dynamicBatching.enabled,
    maxBatchSize,
    preferredBatchSizes: preferred,
    maxQueueDelayMicros: dynamicBatching.maxQueueDelayMicroseconds,
  };
}

export interface BatchCandidate {
  /** Rows along dim 0. */
  readonly rows: number;
  /** Requests merge only when their keys are equal (same non-batch dims for every input). */
  readonly shapeKey: string;
}

export interface QueueSnapshot<C extends BatchCandidate> {
  /** Queued requests, highest priority first, oldest first within a priority. */
  readonly entries: Iterable<C>;
  /** Enqueue time of the longest-waiting request of any priority, in microseconds. */
  readonly oldestEnqueuedMicros: number;
  /** Something must go now: a request already waited for a busy instance, or the batcher is draining. */
  readonly urgent: boolean;
}

export type DispatchReason = 'alone' | 'full' | 'preferred' | 'urgent' | 'delay';

export type BatchDecision<C> =
  | { readonly kind: 'dispatch'; readonly batch: readonly C[]; readonly reason: DispatchReason }
  | { readonly kind: 'wait'; readonly delayMicros: number }
  | { readonly kind: 'idle' };

/**
 * What a free instance should do with the queue now. Called only when an instance is free.
 *
 * 1. Empty queue: idle. Batching off: the head request runs alone.
 * 2. The batch is the head request plus the following requests with the same shape key, in
 *    queue order, whole requests only, until the next one would pass maxBatchSize.
 * 3. Dispatch it when it is full (maxBatchSize rows, or the next compatible request does not
 *    fit, so waiting cannot grow it).
 * 4. Else dispatch the longest prefix whose rows equal a preferred size, largest size first.
 * 5. Else dispatch it when something is urgent or the oldest request has waited
 *    maxQueueDelayMicros.
 * 6. Else wait for the rest of the oldest request's delay.
 */
export function decideBatch<C extends BatchCandidate>(
  snapshot: QueueSnapshot<C>,
  policy: BatchPolicy,
  nowMicros: number,
): BatchDecision<C> {
  const iterator = snapshot.entries[Symbol.iterator]();
  const first = iterator.next();
  if (first.done === true) return { kind: 'idle' };
  const head = first.value;
  if (!policy.batching) return { kind: 'dispatch', batch: [head], reason: 'alone' };

  const batch: C[] = [head];
  const prefixRows: number[] = [head.rows];
  let rows = head.rows;
  let full = rows >= policy.maxBatchSize;
  for (let next = iterator.next(); !full && next.done !== true; next = iterator.next()) {
    const candidate = next.value;
    if (candidate.shapeKey !== head.shapeKey) continue;
    if (rows + candidate.rows > policy.maxBatchSize) {
      full = true;
      break;
    }
    batch.push(candidate);
    rows += candidate.rows;
    prefixRows.push(rows);
    full = rows === policy.maxBatchSize;
  }
  if (full) return { kind: 'dispatch', batch, reason: 'full' };

  for (const size of policy.preferredBatchSizes) {
    if (size > rows) continue;
    const count = prefixRows.indexOf(size) + 1;
    if (count > 0) return { kind: 'dispatch', batch: batch.slice(0, count), reason: 'preferred' };
  }

  if (snapshot.urgent) return { kind: 'dispatch', batch, reason: 'urgent' };
  const waited = nowMicros - snapshot.oldestEnqueuedMicros;
  if (waited >= policy.maxQueueDelayMicros) return { kind: 'dispatch', batch, reason: 'delay' };
  return { kind: 'wait', delayMicros: policy.maxQueueDelayMicros - waited };
}
