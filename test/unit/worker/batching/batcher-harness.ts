import type { ModelConfig } from '../../../../worker/repository/model-config.js';
import { batchPolicyFrom } from '../../../../worker/batching/batch-policy.js';
import { DynamicBatcher, type InstancePool } from '../../../../worker/batching/dynamic-batcher.js';
import type { BatchObserver, ExecutedBatch, RejectionReason } from '../../../../worker/batching/observer.js';
import { FakeClock } from './fake-clock.js';

export interface RunningBatch {
  readonly ids: string[];
  readonly instance: number;
  succeed(): void;
  fail(error: Error): void;
}

export interface Recorded {
  readonly executed: ExecutedBatch[];
  readonly depths: number[];
  readonly rejected: RejectionReason[];
}

type BatchingConfig = Pick<ModelConfig, 'maxBatchSize' | 'dynamicBatching'>;

export interface HarnessOptions {
  readonly maxBatchSize?: number;
  readonly preferredBatchSizes?: number[];
  readonly maxQueueDelayMicroseconds?: number;
  readonly maxQueueSize?: number;
  readonly timeoutMs?: number;
  readonly priorityLevels?: number;
  readonly enabled?: boolean;
  readonly instances?: number;
}

/**
 * A batcher over string payloads with a fake clock, a pool of numbered instances and an
 * executor the test completes by hand. Each request resolves with `${id}:done`.
 */
export function harness(options: HarnessOptions = {}) {
  const config: BatchingConfig = {
    maxBatchSize: options.maxBatchSize ?? 8,
    dynamicBatching: {
      preferredBatchSizes: options.preferredBatchSizes ?? [],
      maxQueueDelayMicroseconds: options.maxQueueDelayMicroseconds ?? 1000,
      maxQueueSize: options.maxQueueSize ?? 100,
      timeoutMs: options.timeoutMs ?? 0,
      priorityLevels: options.priorityLevels ?? 1,
      enabled: options.enabled ?? true,
    },
  };
  const clock = new FakeClock();
  const free = Array.from({ length: options.instances ?? 1 }, (_, i) => i);
  const pool: InstancePool<number> = {
    get freeCount() { return free.length; },
    acquire: () => free.shift(),
    release: (i) => { free.push(i); free.sort((a, b) => a - b); },
  };
  const batches: RunningBatch[] = [];
  const recorded: Recorded = { executed: [], depths: [], rejected: [] };
  const observer: BatchObserver = {
    batchExecuted: (labels, batch) => {
      if (labels.model !== 'm' || labels.version !== '1') throw new Error('wrong labels');
      recorded.executed.push(batch);
    },
    queueDepthChanged: (_labels, depth) => recorded.depths.push(depth),
    requestRejected: (_labels, reason) => recorded.rejected.push(reason),
  };
  const batcher = new DynamicBatcher<string, string, number>({
    labels: { model: 'm', version: '1' },
    policy: batchPolicyFrom(config),
    maxQueueSize: config.dynamicBatching.maxQueueSize,
    priorityLevels: config.dynamicBatching.priorityLevels,
    defaultTimeoutMs: config.dynamicBatching.timeoutMs,
    pool,
    clock,
    observer,
    execute: (ids, instance) => new Promise((resolve, reject) => {
      batches.push({ ids: [...ids], instance, succeed: () => resolve(ids.map((id) => `${id}:done`)), fail: reject });
    }),
  });

  /** Submits `id` with `rows` rows (shape key 'k' unless given) and keeps its settled outcome. */
  const outcomes = new Map<string, { value?: string; error?: unknown }>();
  function submit(id: string, rows = 1, extra: { shapeKey?: string; priority?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
    const promise = batcher.submit(id, { rows, shapeKey: extra.shapeKey ?? 'k', priority: extra.priority, timeoutMs: extra.timeoutMs, signal: extra.signal });
    void promise.then((value) => outcomes.set(id, { value }), (error: unknown) => outcomes.set(id, { error }));
    return promise;
  }

  /** Ids of each batch executed so far, in dispatch order. */
  const formed = (): string[][] => batches.map((b) => b.ids);
  return { batcher, clock, batches, formed, recorded, submit, outcomes };
}

/** Lets settled promises run their callbacks (no time passes). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
