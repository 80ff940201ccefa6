import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rolloutOutcome, WATCH_EXIT, watchRollout, type WatchedStatus } from '../../../cli/rollout-watch.js';

const started = { at: '2026-12-08T01:00:00.000Z', event: 'started', by: 'config', weight: 20, reason: 'canary at 20%' };
const failed = { at: '2026-12-08T01:00:40.000Z', event: 'analysis', by: 'analysis', weight: 20, reason: 'disagreement 0.13 above 0.05' };
const aborted = { at: '2026-12-08T01:01:20.000Z', event: 'aborted', by: 'analysis', weight: 0, reason: 'disagreement 0.13 above 0.05; 2 failed intervals in a row reached failureLimit 2' };

function canary(phase: string, history: WatchedStatus['history'], reason: string | null = null): WatchedStatus {
  return { route: 'fraud', strategy: 'canary', phase, reason, weights: { stable: 80, canary: 20 }, history };
}

/** Runs a watch over a fixed sequence of statuses on a fake clock; returns the code, the output and the sleeps. */
async function watch(statuses: WatchedStatus[], timeoutMs?: number) {
  let now = 0;
  let call = 0;
  let out = '';
  const sleeps: number[] = [];
  const code = await watchRollout({
    fetchStatus: () => Promise.resolve(statuses[Math.min(call++, statuses.length - 1)]!),
    write: (text) => void (out += text),
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    now: () => now,
  }, { intervalMs: 2_000, timeoutMs });
  return { code, out, sleeps, calls: call };
}

describe('rollout status --watch', () => {
  it('maps each phase to its exit code: promoted and nothing-in-progress 0, aborted and blocked 3, the rest go on', () => {
    assert.equal(rolloutOutcome(canary('promoted', [])), WATCH_EXIT.healthy);
    assert.equal(rolloutOutcome(canary('manual', [])), WATCH_EXIT.healthy);
    assert.equal(rolloutOutcome({ route: 'bg', strategy: 'blueGreen' }), WATCH_EXIT.healthy);
    assert.equal(rolloutOutcome(canary('aborted', [])), 3);
    assert.equal(rolloutOutcome(canary('blocked', [])), 3);
    for (const phase of ['starting', 'golden', 'shadow', 'progressing', 'paused']) assert.equal(rolloutOutcome(canary(phase, [])), undefined, phase);
  });

  it('prints each history event once as it appears and exits 3 when the analysis aborts', async () => {
    const r = await watch([canary('progressing', [started]), canary('progressing', [started]), canary('progressing', [started, failed]), canary('aborted', [started, failed, aborted], `aborted: ${aborted.reason}`)]);
    assert.equal(r.code, 3);
    assert.deepEqual(r.sleeps, [2_000, 2_000, 2_000]);
    assert.equal(r.out, [
      'route fraud: progressing, canary at 20%; watching until it ends (Ctrl-C stops watching, not the rollout)',
      '  01:00:00  started        20%  by config   canary at 20%',
      '  01:00:40  analysis       20%  by analysis disagreement 0.13 above 0.05',
      '  01:01:20  aborted         0%  by analysis disagreement 0.13 above 0.05; 2 failed intervals in a row reached failureLimit 2',
      `route fraud: aborted: aborted: ${aborted.reason} (exit 3)`,
      '',
    ].join('\n'));
  });

  it('exits 0 at once for a promoted rollout and for a blue-green route', async () => {
    assert.equal((await watch([canary('promoted', [started])])).code, 0);
    const bg = await watch([{ route: 'bg', strategy: 'blueGreen', target: { kind: 'blueGreen', active: 'blue', preview: 'green' } }]);
    assert.equal(bg.code, 0);
    assert.equal(bg.out, 'route bg: blueGreen\nroute bg: blueGreen, active blue; nothing in progress (exit 0)\n');
  });

  it('watches a paused rollout on, and gives up with 4 once --timeout has passed', async () => {
    const r = await watch([canary('paused', [started], 'paused by hand: lunch')], 5_000);
    assert.equal(r.code, WATCH_EXIT.timedOut);
    assert.deepEqual(r.sleeps, [2_000, 2_000, 2_000]);
    assert.match(r.out, /route fraud: still paused after 5s \(--timeout\); exit 4\n$/);
  });
});
