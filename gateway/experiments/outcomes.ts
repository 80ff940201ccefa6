import { SwitchyardError } from '../../protocol/errors.js';
import type { Outcome } from './store/store.js';
import type { MetricDefinition } from './statistics/types.js';

/**
 * Validation of `POST /v1/experiments/{id}/outcomes`. Accepted bodies:
 *   {"unit": "u1", "metric": "revenue", "value": 12.5, "idempotencyKey"?: "..."}
 *   {"outcomes": [{"unit", "metric", "value"}, ...], "idempotencyKey"?: "..."}
 * The variant is not sent: it comes from `assign`, the sticky hash routing uses.
 *
 * Proportion metrics take 0 or 1 per post, and a unit's value is "converted at least once"
 * (the store combines with max), so a retried or repeated 1 never counts a unit twice.
 * Mean metrics take any finite number, summed per unit. So do covariates (kind covariate):
 * declaring a metric a covariate is what marks its values as measured before exposure. A
 * ratio metric takes no posts of its own: its numerator and denominator are posted.
 */

/** Longest unit id, characters (UTF-16 code units): user ids, not payloads. */
export const MAX_UNIT_LENGTH = 256;
/** Most outcomes in one post: one Redis script runs per post and blocks Redis while it runs. */
export const MAX_OUTCOMES_PER_POST = 1000;
/** Longest idempotency key, characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

export const OutcomeErrorCode = { INVALID_OUTCOME: 'INVALID_OUTCOME', UNKNOWN_METRIC: 'UNKNOWN_METRIC' } as const;

export interface OutcomeTarget {
  readonly id: string;
  readonly metrics: readonly MetricDefinition[];
  /** The unit's variant: the same function routing uses. */
  readonly assign: (unit: string) => string;
}

export interface ValidOutcomePost {
  readonly outcomes: Outcome[];
  readonly idempotencyKey: string | undefined;
}

const ITEM_FIELDS = ['unit', 'metric', 'value'];

function received(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return x.length > 40 ? `a string of ${x.length} characters` : `'${x}'`;
  if (typeof x === 'object') return 'an object';
  return String(x);
}

function invalid(field: string, expected: string, value: unknown): SwitchyardError {
  return new SwitchyardError(OutcomeErrorCode.INVALID_OUTCOME, 400, `${field}: expected ${expected}; received ${received(value)}`);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown !== undefined) {
    throw new SwitchyardError(OutcomeErrorCode.INVALID_OUTCOME, 400, `${where}${unknown}: unknown field; expected only ${allowed.join(', ')}`);
  }
}

/** Parsed JSON body in, outcomes with their variants out; throws SwitchyardError 400/404 on the first problem. */
export function validateOutcomePost(body: unknown, target: OutcomeTarget): ValidOutcomePost {
  if (!isRecord(body)) throw invalid('body', 'an object {unit, metric, value} or {outcomes: [...], idempotencyKey?}', body);
  const batch = 'outcomes' in body;
  rejectUnknownFields(body, batch ? ['outcomes', 'idempotencyKey'] : [...ITEM_FIELDS, 'idempotencyKey'], '');
  const key = body.idempotencyKey;
  if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
    throw invalid('idempotencyKey', `a non-empty string of at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, key);
  }
  const items: unknown[] = batch ? checkBatch(body.outcomes) : [{ unit: body.unit, metric: body.metric, value: body.value }];
  const outcomes = items.map((item, i) => validateItem(item, batch ? `outcomes[${i}].` : '', target));
  return { outcomes, idempotencyKey: key };
}

function checkBatch(list: unknown): unknown[] {
  if (!Array.isArray(list)) throw invalid('outcomes', 'an array of {unit, metric, value}', list);
  if (list.length === 0 || list.length > MAX_OUTCOMES_PER_POST) {
    throw new SwitchyardError(OutcomeErrorCode.INVALID_OUTCOME, 400,
      `outcomes: expected 1 to ${MAX_OUTCOMES_PER_POST} outcomes per post (split larger batches); received ${list.length}`);
  }
  return list;
}

function validateItem(item: unknown, where: string, target: OutcomeTarget): Outcome {
  if (!isRecord(item)) throw invalid(where.slice(0, -1), 'an object {unit, metric, value}', item);
  rejectUnknownFields(item, ITEM_FIELDS, where);
  const { unit, metric, value } = item;
  if (typeof unit !== 'string' || unit.length === 0 || unit.length > MAX_UNIT_LENGTH) {
    throw invalid(`${where}unit`, `a non-empty string of at most ${MAX_UNIT_LENGTH} characters`, unit);
  }
  if (typeof metric !== 'string') throw invalid(`${where}metric`, 'a metric name', metric);
  const definition = target.metrics.find((m) => m.name === metric);
  if (definition === undefined) {
    const names = target.metrics.map((m) => `'${m.name}'`).join(', ') || 'none: the experiment declares no metrics';
    throw new SwitchyardError(OutcomeErrorCode.UNKNOWN_METRIC, 404,
      `${where}metric: experiment '${target.id}' has no metric ${received(metric)}; expected one of ${names}`);
  }
  if (definition.kind === 'ratio') {
    throw new SwitchyardError(OutcomeErrorCode.INVALID_OUTCOME, 400,
      `${where}metric: '${metric}' is a ratio of '${definition.numerator ?? ''}' and '${definition.denominator ?? ''}'; expected an outcome for one of those; received '${metric}'`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${where}value`, 'a finite number', value);
  if (definition.kind === 'proportion' && value !== 0 && value !== 1) {
    throw invalid(`${where}value`, `0 or 1 (metric '${metric}' is a proportion)`, value);
  }
  return {
    unit, variant: target.assign(unit), metric, value,
    combine: definition.kind === 'proportion' ? 'max' : 'sum',
  };
}
