/** Labels every observation carries; both are low-cardinality (one per loaded version). */
export interface ModelLabels {
  readonly model: string;
  readonly version: string;
}

export interface ExecutedBatch {
  /** Rows along dim 0 of the merged batch (1 per request when the model has no batch dim). */
  readonly rows: number;
  readonly requests: number;
  /** Seconds each request spent queued, from submit to dispatch, in batch order. */
  readonly queueSeconds: readonly number[];
  /** Seconds from dispatch to the session's answer, including the thread hop. */
  readonly computeSeconds: number;
}

/**
 * Why a request was refused or failed without an answer:
 * queue_full (429), timeout (waited past its timeout), cancelled (its AbortSignal fired while
 * queued), shutting_down (arrived after close()), inference_failed (its batch failed to run).
 */
export type RejectionReason = 'queue_full' | 'timeout' | 'cancelled' | 'shutting_down' | 'inference_failed';

/**
 * What the batcher reports. The server wires this to prom-client; this folder stays free of
 * metrics libraries so the batching rules can be tested on their own.
 */
export interface BatchObserver {
  batchExecuted(labels: ModelLabels, batch: ExecutedBatch): void;
  queueDepthChanged(labels: ModelLabels, depth: number): void;
  requestRejected(labels: ModelLabels, reason: RejectionReason): void;
}

export const noopObserver: BatchObserver = {
  batchExecuted: () => undefined,
  queueDepthChanged: () => undefined,
  requestRejected: () => undefined,
};
