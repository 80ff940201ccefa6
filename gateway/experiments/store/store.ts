import { SwitchyardError } from '../../../protocol/errors.js';
import { STORE_UNAVAILABLE } from '../../state/unavailable.js';

/**
 * How an outcome folds into its unit's total for a metric. `sum` (the default): the unit's
 * value is the sum of its outcomes (revenue). `max`: the unit's value is the largest outcome
 * seen, which for 0/1 metrics means "converted at least once", so a repeated 1 stays 1.
 */
export type OutcomeCombine = 'sum' | 'max';

export interface Outcome {
  readonly unit: string;
  /** The unit's variant, from the same assignment function routing uses. */
  readonly variant: string;
  readonly metric: string;
  readonly value: number;
  readonly combine?: OutcomeCombine;
}

export interface RecordResult {
  /** Outcomes recorded by this call (0 when it was a duplicate). */
  readonly accepted: number;
  /** True when the idempotency key was seen before: nothing was recorded. */
  readonly duplicate: boolean;
}

/** Per-variant statistics of one metric over the units that have at least one outcome for it. */
export interface MetricMoments {
  readonly n: number;
  readonly mean: number;
  /** Sample variance (n - 1 denominator); null below 2 units. */
  readonly variance: number | null;
  readonly sum: number;
}

export interface VariantSummary {
  /** Unique units exposed to this variant. */
  readonly exposures: number;
  readonly metrics: Record<string, MetricMoments>;
}

export interface ExperimentSummary {
  readonly variants: Record<string, VariantSummary>;
}

export interface ExportedUnit {
  readonly unit: string;
  /** The variant its outcomes count for (the first one recorded), else the one it was exposed to. */
  readonly variant: string;
  readonly exposed: boolean;
  /** The unit's total per metric. */
  readonly metrics: Record<string, number>;
}

/**
 * Experiment outcomes, counted exactly: one exposure per unit per experiment and one total
 * per unit per metric. A unit's outcomes always count for the variant of its first outcome,
 * so a weight change mid-experiment never splits one unit across two variants.
 *
 * Outcomes are still accepted after `stop` (late conversions of units already in the
 * experiment); only new exposures stop.
 */
export interface ExperimentStore {
  /** Counts `unit` once per experiment; true when this call counted it. */
  recordExposure(experimentId: string, variant: string, unit: string): Promise<boolean>;
  /** All of the batch or none of it; a repeated idempotency key records nothing. */
  recordOutcomes(experimentId: string, outcomes: readonly Outcome[], idempotencyKey?: string): Promise<RecordResult>;
  summary(experimentId: string): Promise<ExperimentSummary>;
  /** Every unit, sorted by unit id, for export as JSON. */
  exportUnits(experimentId: string): Promise<ExportedUnit[]>;
  stop(experimentId: string): Promise<void>;
  isStopped(experimentId: string): Promise<boolean>;
  /** Forgets everything about the experiment, including idempotency keys and the stop. */
  reset(experimentId: string): Promise<void>;
  close(): Promise<void>;
}

/** How long an idempotency key is remembered, ms (24 h). */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export { STORE_UNAVAILABLE };

/** Redis is down or too slow: `what` says what did not happen, e.g. "the exposure was not counted". */
export function storeUnavailable(what: string, cause: unknown, details?: Record<string, string>): SwitchyardError {
  return new SwitchyardError(STORE_UNAVAILABLE, 503, `experiment store (Redis) is unavailable: ${what}; try again later`, { cause, retryAfterSeconds: 1, details });
}

/**
 * What a 503 on an outcome post says. A script sent to a Redis that hangs (paused, swapping,
 * partitioned) runs when Redis resumes, after the client has given up on it: the post may yet
 * be recorded. Its idempotency key makes the retry safe either way, so the key goes back with
 * the 503 (`details`), and the message says to retry with it.
 */
export function outcomesUnconfirmed(idempotencyKey: string | undefined, cause: unknown): SwitchyardError {
  if (idempotencyKey === undefined) {
    return storeUnavailable('the outcomes were not confirmed and may still be recorded when Redis answers (without an idempotencyKey a retry may count them twice)', cause);
  }
  return storeUnavailable(`the outcomes were not confirmed and may still be recorded when Redis answers; retry with idempotencyKey '${idempotencyKey}', which counts them exactly once`, cause, { idempotencyKey });
}

/**
 * Checks the store's own invariants before anything is written, so a batch is never half
 * applied. Request validation (outcomes.ts) has already given users precise messages.
 */
export function assertStorable(outcomes: readonly Outcome[]): void {
  for (const [i, o] of outcomes.entries()) {
    const problem = o.unit === '' ? 'an empty unit'
      : o.variant === '' ? 'an empty variant'
        : !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.metric) ? `metric name '${o.metric}'`
          : !Number.isFinite(o.value) ? `value ${String(o.value)}`
            : o.combine !== undefined && o.combine !== 'sum' && o.combine !== 'max' ? `combine '${String(o.combine)}'`
              : undefined;
    if (problem !== undefined) {
      throw new SwitchyardError('INVALID_OUTCOME', 400, `outcomes[${i}]: cannot record ${problem}; nothing was recorded`);
    }
  }
}
