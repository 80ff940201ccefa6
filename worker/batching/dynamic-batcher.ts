import { SwitchyardError } from '../../protocol/errors.js';
import { WorkerErrorCode, invalidRequest, queueFull, requestTimeout, shuttingDown } from '../errors.js';
import { decideBatch, type BatchPolicy } from './batch-policy.js';
import { systemClock, type Clock, type Timer } from './clock.js';
import { noopObserver, type BatchObserver, type ModelLabels, type RejectionReason } from './observer.js';
import { RequestQueue } from './request-queue.js';
import type { Cancellation } from './cancellation.js';

/** Seconds a 429 asks clients to wait: about one queue's worth of batches at typical latencies. */
export const QUEUE_FULL_RETRY_AFTER_SECONDS = 1;

/** Whatever runs batches (the instance group of session threads, or a fake in tests). */
export interface InstancePool<I> {
  readonly freeCount: number;
  /** A free instance, marked busy; undefined when none is free. */
  acquire(): I | undefined;
  release(instance: I): void;
}

export interface DynamicBatcherOptions<P, R, I> {
  readonly labels: ModelLabels;
  readonly policy: BatchPolicy;
  /** Requests (not rows) that may wait; one more is refused with 429. */
  readonly maxQueueSize: number;
  readonly priorityLevels: number;
  /** Queue timeout for requests that name none, in milliseconds; 0 means none. */
  readonly defaultTimeoutMs: number;
  readonly pool: InstancePool<I>;
  /** Runs one batch on `instance`; resolves with one result per payload, in order. */
  readonly execute: (payloads: readonly P[], instance: I) => Promise<readonly R[]>;
  readonly clock?: Clock;
  readonly observer?: BatchObserver;
}

export interface SubmitOptions {
  /** Rows along dim 0 (1 for a model without a batch dim). */
  readonly rows: number;
  /** Requests merge only with requests of the same key. */
  readonly shapeKey: string;
  /** 1 (served first) to priorityLevels; default: the middle level, rounded towards 1. */
  readonly priority?: number;
  /** Longest wait in the queue, in milliseconds; 0 means none; default from config. */
  readonly timeoutMs?: number;
  /** Aborting removes the request if it is still queued. */
  readonly signal?: Cancellation;
}

interface Entry<P, R> {
  readonly payload: P;
  readonly rows: number;
  readonly shapeKey: string;
  readonly priority: number;
  readonly enqueuedMicros: number;
  /** Queued while every instance was busy, so its delay has been served already. */
  readonly waitedForInstance: boolean;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
  /** The queue timeout's timer, and the cancellation listened to: both let go when the entry leaves the queue. */
  timer: Timer | undefined;
  signal: Cancellation | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Triton-style dynamic batcher for one model version. The rules of when to dispatch live in
 * decideBatch (pure); this class keeps the queue, timers, instances and callers' promises.
 */
export class DynamicBatcher<P, R, I> {
  readonly #options: DynamicBatcherOptions<P, R, I>;
  readonly #clock: Clock;
  readonly #observer: BatchObserver;
  readonly #queue: RequestQueue<Entry<P, R>>;
  readonly #defaultPriority: number;
  #waitedForInstance = 0;
  #inFlight = 0;
  #timer: Timer | undefined;
  #timerDeadline = NaN;
  #closing = false;
  #drained: Promise<void> | undefined;
  #onDrained: (() => void) | undefined;

  constructor(options: DynamicBatcherOptions<P, R, I>) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#observer = options.observer ?? noopObserver;
    this.#queue = new RequestQueue(options.priorityLevels);
    this.#defaultPriority = Math.ceil(options.priorityLevels / 2);
  }

  get queueDepth(): number {
    return this.#queue.size;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Queues one request. Throws (synchronously) when it has more rows than maxBatchSize:
   * validation refuses those before they get here. Refusals the client caused reject.
   */
  submit(payload: P, options: SubmitOptions): Promise<R> {
    const { policy, labels } = this.#options;
    if (policy.maxBatchSize > 0 && options.rows > policy.maxBatchSize) {
      throw new RangeError(`model '${labels.model}': a request of ${options.rows} rows exceeds maxBatchSize ${policy.maxBatchSize}; validate before submitting`);
    }
    const priority = options.priority ?? this.#defaultPriority;
    if (!Number.isInteger(priority) || priority < 1 || priority > this.#options.priorityLevels) {
      return Promise.reject(invalidRequest(`priority must be an integer from 1 to ${this.#options.priorityLevels}, received ${priority}`));
    }
    if (this.#closing) return this.#refuse('shutting_down', shuttingDown());
    if (options.signal?.aborted === true) return this.#refuse('cancelled', cancelled(labels.model, 0, options.signal.reason));
    if (this.#queue.size >= this.#options.maxQueueSize) {
      return this.#refuse('queue_full', queueFull(labels.model, this.#options.maxQueueSize, QUEUE_FULL_RETRY_AFTER_SECONDS));
    }

    return new Promise<R>((resolve, reject) => {
      const entry: Entry<P, R> = {
        payload,
        rows: options.rows,
        shapeKey: options.shapeKey,
        priority,
        enqueuedMicros: this.#clock.nowMicros(),
        waitedForInstance: this.#options.pool.freeCount === 0,
        resolve,
        reject,
        timer: undefined,
        signal: undefined,
        onAbort: undefined,
      };
      this.#watch(entry, options.timeoutMs ?? this.#options.defaultTimeoutMs, options.signal);
      this.#queue.push(entry);
      if (entry.waitedForInstance) this.#waitedForInstance++;
      this.#depthChanged();
      this.#pump();
    });
  }

  /** Refuses new requests, runs what is queued without waiting for delays, resolves when nothing is left. */
  close(): Promise<void> {
    if (this.#drained === undefined) {
      this.#closing = true;
      this.#drained = new Promise<void>((resolve) => {
        this.#onDrained = resolve;
      });
      this.#pump();
      this.#checkDrained();
    }
    return this.#drained;
  }

  #watch(entry: Entry<P, R>, timeoutMs: number, signal: Cancellation | undefined): void {
    const model = this.#options.labels.model;
    if (timeoutMs > 0) entry.timer = this.#clock.setTimer(timeoutMs * 1000, () => this.#expire(entry, 'timeout', requestTimeout(model, timeoutMs)));
    if (signal === undefined) return;
    entry.signal = signal;
    entry.onAbort = (): void => {
      const waitedMs = (this.#clock.nowMicros() - entry.enqueuedMicros) / 1000;
      this.#expire(entry, 'cancelled', cancelled(model, waitedMs, signal.reason));
    };
    signal.addEventListener('abort', entry.onAbort, { once: true });
  }

  #expire(entry: Entry<P, R>, reason: RejectionReason, error: SwitchyardError): void {
    if (!this.#queue.remove(entry)) return;
    this.#forget(entry);
    this.#depthChanged();
    this.#notify((o) => o.requestRejected(this.#options.labels, reason));
    entry.reject(error);
    this.#pump();
    this.#checkDrained();
  }

  #forget(entry: Entry<P, R>): void {
    entry.timer?.cancel();
    if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
    if (entry.waitedForInstance) this.#waitedForInstance--;
  }

  #pump(): void {
    const { pool, policy } = this.#options;
    while (this.#queue.size > 0 && pool.freeCount > 0) {
      const now = this.#clock.nowMicros();
      const decision = decideBatch(
        { entries: this.#queue, oldestEnqueuedMicros: this.#queue.oldestEnqueuedMicros(), urgent: this.#closing || this.#waitedForInstance > 0 },
        policy,
        now,
      );
      if (decision.kind === 'idle') break;
      if (decision.kind === 'wait') {
        this.#arm(now + decision.delayMicros, decision.delayMicros);
        return;
      }
      const instance = pool.acquire();
      if (instance === undefined) break;
      this.#dispatch(decision.batch, instance, now);
    }
    this.#disarm();
  }

  /** One timer at a time, for the oldest request's deadline; kept when the deadline is unchanged. */
  #arm(deadlineMicros: number, delayMicros: number): void {
    if (this.#timer !== undefined && this.#timerDeadline === deadlineMicros) return;
    this.#disarm();
    this.#timerDeadline = deadlineMicros;
    this.#timer = this.#clock.setTimer(delayMicros, () => {
      this.#timer = undefined;
      this.#timerDeadline = NaN;
      this.#pump();
    });
  }

  #disarm(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerDeadline = NaN;
  }

  #dispatch(batch: readonly Entry<P, R>[], instance: I, nowMicros: number): void {
    const { labels, pool, execute } = this.#options;
    this.#queue.removeAll(batch);
    for (const entry of batch) this.#forget(entry);
    this.#depthChanged();
    this.#inFlight++;

    let running: Promise<readonly R[]>;
    try {
      running = execute(batch.map((entry) => entry.payload), instance);
    } catch (error) {
      running = Promise.reject(error);
    }
    const settle = (results: readonly R[] | undefined, error: unknown): void => {
      const doneMicros = this.#clock.nowMicros();
      pool.release(instance);
      this.#inFlight--;
      if (results !== undefined && results.length === batch.length) {
        batch.forEach((entry, i) => entry.resolve(results[i]!));
        this.#notify((o) => o.batchExecuted(labels, {
          rows: batch.reduce((sum, entry) => sum + entry.rows, 0),
          requests: batch.length,
          queueSeconds: batch.map((entry) => (nowMicros - entry.enqueuedMicros) / 1e6),
          computeSeconds: (doneMicros - nowMicros) / 1e6,
        }));
      } else {
        const reason = results === undefined ? error : new Error(`execute returned ${results.length} results for ${batch.length} requests`);
        for (const entry of batch) {
          this.#notify((o) => o.requestRejected(labels, 'inference_failed'));
          entry.reject(reason);
        }
      }
      this.#pump();
      this.#checkDrained();
    };
    void running.then((results) => settle(results, undefined), (error: unknown) => settle(undefined, error));
  }

  #refuse(reason: RejectionReason, error: SwitchyardError): Promise<never> {
    this.#notify((o) => o.requestRejected(this.#options.labels, reason));
    return Promise.reject(error);
  }

  #checkDrained(): void {
    if (this.#closing && this.#queue.size === 0 && this.#inFlight === 0) this.#onDrained?.();
  }

  /** #notify for the report made on every submit, without a closure per call. */
  #depthChanged(): void {
    try {
      this.#observer.queueDepthChanged(this.#options.labels, this.#queue.size);
    } catch {
      // ignored on purpose: see #notify
    }
  }

  /** A metrics bug must not strand callers, so observer failures are swallowed here. */
  #notify(call: (observer: BatchObserver) => void): void {
    try {
      call(this.#observer);
    } catch {
      // ignored on purpose: see above
    }
  }
}

function cancelled(model: string, waitedMs: number, cause: unknown): SwitchyardError {
  return new SwitchyardError(
    WorkerErrorCode.REQUEST_TIMEOUT,
    504,
    `model '${model}': the request was cancelled after ${Math.round(waitedMs)} ms in the queue and was not run`,
    { cause },
  );
}
