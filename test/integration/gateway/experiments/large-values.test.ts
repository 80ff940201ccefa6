/**
 * A metric near 1e9 through both stores, against R's t.test on the same per-unit values
 * (fixture welchNear1e9 in test/fixtures/statistics). Each unit's value is posted whole, and
 * again in two pieces (its total changes after it was counted), to 1e-9 relative.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createMemoryExperimentStore } from '../../../../gateway/experiments/store/memory.js';
import { createRedisExperimentStore } from '../../../../gateway/experiments/store/redis.js';
import type { ExperimentStore, Outcome } from '../../../../gateway/experiments/store/store.js';
import { computeResults } from '../../../../gateway/experiments/statistics/results.js';
import type { ExperimentDefinition } from '../../../../gateway/experiments/statistics/types.js';
import { deleteKeys, REDIS_URL, redisSkip } from '../../../helpers/redis.js';
import { repoRoot } from '../../../helpers/repo-root.js';
import { assertClose, assertIntervalClose } from '../../../unit/gateway/experiments/assert-close.js';

interface Welch { x: number[]; y: number[]; difference: number; t: number; df: number; p: number; ci: [number, number] }
const R = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/statistics/r.json'), 'utf8')) as { welchNear1e9: Welch; fiellerNear1e9: { ci: [number, number] } };
interface Exact { x: number[]; y: number[]; exact: { difference: number; t: number; df: number; p: number } }
const SCIPY = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/statistics/scipy.json'), 'utf8')) as { welchNear1e9Fractional: Exact };
const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;
const skip = await redisSkip();
const definition: ExperimentDefinition = { id: 'near-1e9', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }], metrics: [{ name: 'amount', kind: 'mean' }] };
/** A first piece every unit shares, then the rest: the second post changes a counted unit's total. */
const FIRST_PIECE = 999_999_900;

async function record(store: ExperimentStore, id: string, pieces: boolean, r: { x: number[]; y: number[] } = R.welchNear1e9): Promise<void> {
  const rows = [...r.x.map((value, i) => ({ unit: `t${i}`, variant: 'treatment', value })), ...r.y.map((value, i) => ({ unit: `c${i}`, variant: 'control', value }))];
  for (const row of rows) await store.recordExposure(id, row.variant, row.unit);
  const outcome = (row: (typeof rows)[number], value: number): Outcome => ({ unit: row.unit, variant: row.variant, metric: 'amount', value });
  if (pieces) {
    await store.recordOutcomes(id, rows.map((row) => outcome(row, FIRST_PIECE)));
    await store.recordOutcomes(id, rows.map((row) => outcome(row, row.value - FIRST_PIECE)));
  } else {
    await store.recordOutcomes(id, rows.map((row) => outcome(row, row.value)));
  }
}

const stores: [string, () => ExperimentStore, false | string][] = [
  ['memory', () => createMemoryExperimentStore(), false],
  ['redis', () => createRedisExperimentStore({ redis: REDIS_URL, keyPrefix: PREFIX }), skip],
];

for (const [name, create, skipStore] of stores) {
  describe(`a metric near 1e9 in the ${name} store`, { skip: skipStore }, () => {
    after(() => deleteKeys(PREFIX));
    for (const pieces of [false, true]) {
      it(`matches R's t.test to 1e-9 with each value posted ${pieces ? 'in two pieces' : 'whole'}`, async () => {
        const store = create();
        const id = `${definition.id}-${pieces ? 'pieces' : 'whole'}`;
        try {
          await record(store, id, pieces);
          const r = R.welchNear1e9;
          const c = computeResults({ ...definition, id }, await store.summary(id)).metrics[0]!.comparisons[0]!;
          assertClose(c.difference.estimate, r.difference, 1e-9, 'difference');
          assertIntervalClose(c.difference.ci, r.ci, 1e-9, 'ci');
          assertClose(c.test?.statistic, r.t, 1e-9, 't');
          assertClose(c.test?.method === 'welch-t' ? c.test.df : null, r.df, 1e-9, 'df');
          assertClose(c.test?.pValue, r.p, 1e-9, 'p');
          assertIntervalClose(c.relativeLift?.ci, R.fiellerNear1e9.ci, 1e-9, 'lift ci');
        } finally {
          await store.close();
        }
      });
    }
    for (const pieces of [false, true]) {
      it(`matches the exact figures for fractional values to 1e-9 (where R and SciPy are 2.6e-7 off), each value posted ${pieces ? 'in two pieces' : 'whole'}`, async () => {
        // The store keeps the metric's first value as its origin and Σ(x − origin), so both arms carry shifted means.
        const store = create();
        const id = `${definition.id}-fractional-${pieces ? 'pieces' : 'whole'}`;
        try {
          const f = SCIPY.welchNear1e9Fractional;
          await record(store, id, pieces, f);
          const summary = await store.summary(id);
          const origin = pieces ? FIRST_PIECE : f.x[0]!;
          assert.deepEqual(['treatment', 'control'].map((v) => summary.variants[v]!.metrics.amount!.shifted?.origin), [origin, origin]);
          const c = computeResults({ ...definition, id }, summary).metrics[0]!.comparisons[0]!;
          assertClose(c.difference.estimate, f.exact.difference, 1e-9, 'difference');
          assertClose(c.test?.statistic, f.exact.t, 1e-9, 't');
          assertClose(c.test?.method === 'welch-t' ? c.test.df : null, f.exact.df, 1e-9, 'df');
          assertClose(c.test?.pValue, f.exact.p, 1e-9, 'p');
        } finally {
          await store.close();
        }
      });
    }
  });
}
