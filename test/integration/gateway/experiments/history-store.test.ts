import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { HistoryPoint, ResultsHistory } from '../../../../gateway/experiments/history/history.js';
import { createMemoryResultsHistory } from '../../../../gateway/experiments/history/memory.js';
import { createRedisResultsHistory } from '../../../../gateway/experiments/history/redis.js';
import { deleteKeys, REDIS_URL, redisSkip } from '../../../helpers/redis.js';

const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;
const skip = await redisSkip();

const point = (at: number, lift: number): HistoryPoint => ({
  at,
  analysedUnits: { control: 10, treatment: 10 },
  metrics: [{ name: 'revenue', comparisons: [{ variant: 'treatment', difference: { estimate: lift, ci: [lift - 1, lift + 1] }, relativeLift: { estimate: lift / 10, ci: null }, adjustedPValue: 0.5, chanceToBeatControl: 0.7, verdict: 'inconclusive' }] }],
});

/** The same behaviour from both stores; with Redis each `open` is another replica's client. */
function historySuite(name: string, open: () => ResultsHistory): void {
  describe(`results history (${name})`, () => {
    const opened: ResultsHistory[] = [];
    const store = () => { const s = open(); opened.push(s); return s; };
    after(async () => { for (const s of opened) await s.close(); });

    it('keeps one point per slot, whichever replica records it first, oldest first', async () => {
      const [a, b] = [store(), store()];
      const id = `slots-${name}`;
      assert.equal(await a.append(id, 60_000, point(60_500, 1), 10), true);
      assert.equal(await b.append(id, 60_000, point(60_700, 2), 10), false, 'the slot is taken');
      assert.equal(await b.append(id, 0, point(100, 3), 10), true);
      const read = await a.read(id);
      assert.deepEqual(read.map((p) => p.at), [100, 60_500]);
      assert.deepEqual(read[1], point(60_500, 1), 'a point reads back as it was recorded');
    });

    it('keeps the newest maxPoints and forgets everything on reset', async () => {
      const s = store();
      const id = `bounded-${name}`;
      for (let i = 0; i < 7; i++) await s.append(id, i * 1000, point(i * 1000, i), 5);
      assert.deepEqual((await s.read(id)).map((p) => p.at), [2000, 3000, 4000, 5000, 6000]);
      assert.equal(await s.append(id, 0, point(0, 0), 5), true, 'an old slot that was dropped can be recorded again');
      assert.deepEqual((await s.read(id)).map((p) => p.at), [2000, 3000, 4000, 5000, 6000], 'and falls off at once');
      await s.reset(id);
      assert.deepEqual(await s.read(id), []);
      assert.deepEqual(await s.read('never-sampled'), []);
    });
  });
}

// In memory there is one replica: every `open` is the same history.
const memory = createMemoryResultsHistory();
historySuite('memory', () => memory);

describe('redis results history', { skip }, () => {
  after(() => deleteKeys(PREFIX));
  historySuite('redis', () => createRedisResultsHistory({ redis: REDIS_URL, keyPrefix: PREFIX }));
});
