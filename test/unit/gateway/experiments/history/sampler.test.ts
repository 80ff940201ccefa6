import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../../../observability/logger.js';
import { historyPointOf, type ResultsHistory } from '../../../../../gateway/experiments/history/history.js';
import { createMemoryResultsHistory } from '../../../../../gateway/experiments/history/memory.js';
import { HistorySampler } from '../../../../../gateway/experiments/history/sampler.js';
import type { ExperimentReport } from '../../../../../gateway/experiments/service.js';
import { computeResults } from '../../../../../gateway/experiments/statistics/results.js';

const MINUTE = 60_000;

/** Results with `units` analysed per arm, revenue 1..units in control and 2..units+1 in treatment. */
function report(units: number): ExperimentReport {
  const moments = (shift: number) => ({ n: units, mean: (units + 1) / 2 + shift, variance: (units * (units + 1)) / 12, sum: units * ((units + 1) / 2 + shift) });
  const results = computeResults(
    { id: 'e', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }], metrics: [{ name: 'revenue', kind: 'mean' }] },
    { variants: { control: { exposures: units, metrics: units === 0 ? {} : { revenue: moments(0) } }, treatment: { exposures: units, metrics: units === 0 ? {} : { revenue: moments(1) } } } },
  );
  return { ...results, route: 'r', stopped: false };
}

function sampler(options: { units: () => number; history?: ResultsHistory; stopped?: () => boolean }) {
  const history = options.history ?? createMemoryResultsHistory();
  const calls: number[] = [];
  const s = new HistorySampler({
    history, now: () => 0, log: silentLogger(),
    experiments: () => [{ id: 'e', intervalMs: 5 * MINUTE }],
    results: async () => { calls.push(options.units()); return options.stopped?.() ? null : report(options.units()); },
  });
  return { s, history, calls };
}

describe('the experiment history sampler', () => {
  it('records the cumulative results once per interval slot, at the time of the look', async () => {
    let units = 10;
    const { s, history, calls } = sampler({ units: () => units });
    await s.tick(MINUTE);
    await s.tick(4 * MINUTE); // same slot [0, 5 min): not computed again
    units = 20;
    await s.tick(5 * MINUTE + 1);
    assert.equal(calls.length, 2);
    const points = await history.read('e');
    assert.deepEqual(points, [historyPointOf(report(10), MINUTE), historyPointOf(report(20), 5 * MINUTE + 1)]);
    assert.deepEqual(points[1]!.analysedUnits, { control: 20, treatment: 20 });
    assert.equal(points[1]!.metrics[0]!.comparisons[0]!.relativeLift!.estimate, report(20).metrics[0]!.comparisons[0]!.relativeLift!.estimate);
  });

  it('records nothing for an experiment without analysed units or a stopped one, and looks again in the next slot', async () => {
    let units = 0;
    let stopped = false;
    const { s, history, calls } = sampler({ units: () => units, stopped: () => stopped });
    await s.tick(MINUTE);
    units = 4;
    await s.tick(2 * MINUTE); // same slot: not looked at again
    stopped = true;
    await s.tick(5 * MINUTE);
    assert.deepEqual(await history.read('e'), []);
    stopped = false;
    await s.tick(10 * MINUTE);
    assert.equal(calls.length, 3);
    assert.deepEqual((await history.read('e')).map((p) => p.at), [10 * MINUTE]);
  });

  it('tries the same slot again after the store failed', async () => {
    const memory = createMemoryResultsHistory();
    let failures = 1;
    const flaky: ResultsHistory = {
      ...memory,
      append: async (...args) => { if (failures-- > 0) throw new Error('redis down'); return memory.append(...args); },
    };
    const { s } = sampler({ units: () => 10, history: flaky });
    await s.tick(MINUTE);
    assert.deepEqual(await memory.read('e'), []);
    await s.tick(2 * MINUTE);
    assert.deepEqual((await memory.read('e')).map((p) => p.at), [2 * MINUTE]);
  });

  it('runs looks one after another: two at once record one point per slot', async () => {
    const { s, history } = sampler({ units: () => 10 });
    await Promise.all([s.tick(MINUTE), s.tick(2 * MINUTE), s.tick(6 * MINUTE)]);
    assert.deepEqual((await history.read('e')).map((p) => p.at), [MINUTE, 6 * MINUTE]);
  });
});
