import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import { MAX_OUTCOMES_PER_POST, validateOutcomePost, type OutcomeTarget } from '../../../../gateway/experiments/outcomes.js';

const target: OutcomeTarget = {
  id: 'ranker-2026-11',
  metrics: [{ name: 'clicked', kind: 'proportion' }, { name: 'revenue', kind: 'mean' }],
  assign: (unit) => (unit.endsWith('1') ? 'treatment' : 'control'),
};

function rejection(body: unknown): { status: number; code: string; message: string } {
  try {
    validateOutcomePost(body, target);
  } catch (err) {
    assert.ok(err instanceof SwitchyardError);
    return { status: err.status, code: err.code, message: err.message };
  }
  assert.fail('expected a rejection');
}

const bad = (message: string) => ({ status: 400, code: 'INVALID_OUTCOME', message });

describe('validateOutcomePost', () => {
  it('takes one outcome and assigns its variant with the routing function', () => {
    assert.deepEqual(validateOutcomePost({ unit: 'u1', metric: 'revenue', value: 12.5 }, target), {
      outcomes: [{ unit: 'u1', variant: 'treatment', metric: 'revenue', value: 12.5, combine: 'sum' }],
      idempotencyKey: undefined,
    });
  });

  it('takes a batch with an idempotency key; proportions combine with max', () => {
    const body = { outcomes: [{ unit: 'u2', metric: 'clicked', value: 1 }, { unit: 'u1', metric: 'revenue', value: -3 }], idempotencyKey: 'batch-7' };
    assert.deepEqual(validateOutcomePost(body, target), {
      outcomes: [
        { unit: 'u2', variant: 'control', metric: 'clicked', value: 1, combine: 'max' },
        { unit: 'u1', variant: 'treatment', metric: 'revenue', value: -3, combine: 'sum' },
      ],
      idempotencyKey: 'batch-7',
    });
  });

  it('names the field, the expected and the received for every kind of mistake', () => {
    assert.deepEqual(rejection([1]), bad('body: expected an object {unit, metric, value} or {outcomes: [...], idempotencyKey?}; received an array'));
    assert.deepEqual(rejection({ unit: 'u1', metric: 'revenue', valu: 1 }), bad('valu: unknown field; expected only unit, metric, value, idempotencyKey'));
    assert.deepEqual(rejection({ metric: 'revenue', value: 1 }), bad('unit: expected a non-empty string of at most 256 characters; received nothing'));
    assert.deepEqual(rejection({ unit: 42, metric: 'revenue', value: 1 }), bad('unit: expected a non-empty string of at most 256 characters; received 42'));
    assert.deepEqual(rejection({ unit: 'x'.repeat(257), metric: 'revenue', value: 1 }), bad('unit: expected a non-empty string of at most 256 characters; received a string of 257 characters'));
    assert.deepEqual(rejection({ unit: 'u1', metric: 'revenue', value: '12' }), bad("value: expected a finite number; received '12'"));
    assert.deepEqual(rejection({ unit: 'u1', metric: 'revenue', value: null }), bad('value: expected a finite number; received null'));
    assert.deepEqual(rejection(JSON.parse('{"unit": "u1", "metric": "revenue", "value": 1e400}')), bad('value: expected a finite number; received Infinity'));
    assert.deepEqual(rejection({ unit: 'u1', metric: 'clicked', value: 0.5 }), bad("value: expected 0 or 1 (metric 'clicked' is a proportion); received 0.5"));
    assert.deepEqual(rejection({ unit: 'u1', metric: 'revenue', value: 1, idempotencyKey: '' }), bad("idempotencyKey: expected a non-empty string of at most 128 characters; received ''"));
    assert.deepEqual(rejection({ unit: 'u1', metric: 'clicks', value: 1 }), {
      status: 404, code: 'UNKNOWN_METRIC', message: "metric: experiment 'ranker-2026-11' has no metric 'clicks'; expected one of 'clicked', 'revenue'",
    });
  });

  it('points into the batch and bounds its size', () => {
    assert.deepEqual(rejection({ outcomes: [{ unit: 'u1', metric: 'revenue', value: 1 }, { unit: '', metric: 'revenue', value: 1 }] }),
      bad("outcomes[1].unit: expected a non-empty string of at most 256 characters; received ''"));
    assert.deepEqual(rejection({ outcomes: [{ unit: 'u1', metric: 'revenue', value: 1, variant: 'treatment' }] }),
      bad('outcomes[0].variant: unknown field; expected only unit, metric, value'));
    assert.deepEqual(rejection({ outcomes: ['u1'] }), bad("outcomes[0]: expected an object {unit, metric, value}; received 'u1'"));
    assert.deepEqual(rejection({ outcomes: {} }), bad('outcomes: expected an array of {unit, metric, value}; received an object'));
    assert.deepEqual(rejection({ outcomes: [] }), bad('outcomes: expected 1 to 1000 outcomes per post (split larger batches); received 0'));
    const tooMany = Array.from({ length: MAX_OUTCOMES_PER_POST + 1 }, (_, i) => ({ unit: `u${i}`, metric: 'revenue', value: 1 }));
    assert.deepEqual(rejection({ outcomes: tooMany }), bad('outcomes: expected 1 to 1000 outcomes per post (split larger batches); received 1001'));
  });

  it('takes a covariate like a mean (summed per unit) and refuses a post to a ratio, naming its parts', () => {
    const kinds: OutcomeTarget = {
      ...target,
      metrics: [
        { name: 'revenue', kind: 'mean' }, { name: 'sessions', kind: 'mean' }, { name: 'pre_revenue', kind: 'covariate' },
        { name: 'rps', kind: 'ratio', numerator: 'revenue', denominator: 'sessions' },
      ],
    };
    assert.deepEqual(validateOutcomePost({ unit: 'u2', metric: 'pre_revenue', value: 40.5 }, kinds).outcomes,
      [{ unit: 'u2', variant: 'control', metric: 'pre_revenue', value: 40.5, combine: 'sum' }]);
    assert.throws(() => validateOutcomePost({ outcomes: [{ unit: 'u2', metric: 'rps', value: 3 }] }, kinds), (err: unknown) =>
      err instanceof SwitchyardError && err.status === 400 && err.code === 'INVALID_OUTCOME'
      && err.message === "outcomes[0].metric: 'rps' is a ratio of 'revenue' and 'sessions'; expected an outcome for one of those; received 'rps'");
  });
});
