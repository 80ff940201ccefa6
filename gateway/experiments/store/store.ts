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

/**
 * Per-variant statistics of one metric over the units analysed in that variant (first exposed
 * there, never exposed to another arm) that have at least one outcome for it.
 */
export interface MetricMoments {
  readonly n: number;
  readonly mean: number;
  /** Sample variance (n - 1 denominator); null below 2 units. */
  readonly variance: number | null;
  readonly sum: number;
  /**
   * The mean of x − origin over the same units, for the origin the store shares across the
   * metric's arms (the first value it saw); absent when that origin is 0. The statistics take
   * differences of means from these (describe.ts, SampleMoments.shifted).
   */
  readonly shifted?: { readonly origin: number; readonly mean: number };
}

export interface VariantSummary {
  /** Unique units first exposed to this variant (the sample-ratio check counts these). */
  readonly exposures: number;
  /**
   * Of those, units later exposed to another arm too: left out of the analysis, so the units
   * analysed here are exposures − multiArm. Optional for summaries built by hand; the stores
   * always set it.
   */
  readonly multiArm?: number;
  readonly metrics: Record<string, MetricMoments>;
  /**
   * Σ a·b over the units analysed here, per pair of metrics, keyed productKey(a, b); a unit
   * without a total for one of them adds 0. Ratio metrics and CUPED read their covariances
   * from these. Absent when no unit has two metrics.
   */
  readonly products?: Record<string, number>;
}

/** The key of a pair of metrics in VariantSummary.products: both names, in code-unit order, joined by ':'. */
export function productKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/** Outcomes posted for units the gateway has not exposed (yet): kept, counted, not analysed. */
export interface NeverExposed {
  /** Units with at least one outcome and no exposure. */
  readonly units: number;
  /** Outcomes those units posted (each accepted outcome, whatever its metric). */
  readonly outcomes: number;
}

export interface ExperimentSummary {
  readonly variants: Record<string, VariantSummary>;
  /** Optional for summaries built by hand; the stores always set it. */
  readonly neverExposed?: NeverExposed;
}

export interface ExportedUnit {
  readonly unit: string;
  /** The arm it was first exposed to; for a unit never exposed, the variant assigned at its first outcome. */
  readonly variant: string;
  readonly exposed: boolean;
  /** Exposed to more than one arm (after a weight change): left out of the analysis. */
  readonly multiArm: boolean;
  /** The unit's total per metric. */
  readonly metrics: Record<string, number>;
}

/**
 * Experiment outcomes, counted exactly and joined on exposure. The rule, kept atomically as
 * exposures and outcomes arrive in either order:
 *   1. A unit belongs to the arm it was first exposed to; one exposure per unit per experiment.
 *   2. Its value for a metric is the total of its outcomes (sum, or max for 0/1 metrics); the
 *      per-arm moments are over the units of rule 1 that have a total for the metric.
 *   3. Outcomes of a unit not exposed (yet) are kept and counted as never exposed; when the
 *      unit is first exposed, its totals move into that arm.
 *   4. A unit exposed later to a different arm is multi-arm: its totals leave the moments, it
 *      is counted (by its first arm) and stays out, whatever it posts afterwards.
 *   5. Alongside the moments, each arm keeps Σ a·b for every pair of metrics over the same
 *      units, updated in the same steps (a unit joining, a total changing, a unit leaving).
 * Outcomes are still accepted after `stop` (late conversions of units already in the
 * experiment); new exposures stop, and with them rules 3 and 4, so the result is fixed by
 * what was exposed before the stop.
 */
export interface ExperimentStore {
  /**
   * Counts `unit` once per experiment; true when this call counted it. A unit already counted
   * for another variant is marked multi-arm (false).
   */
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
