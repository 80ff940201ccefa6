import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { CANARY, Harness, healthy } from './harness.js';

const INTERVAL = 10_000;

describe('rollout controller and step machine (fake clock)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('walks the steps while every interval passes, then promotes to 100 %', async () => {
    h = await new Harness().init();
    let state = await h.advance(0);
    assert.equal(state.phase, 'progressing');
    assert.equal(h.weight(), 10);
    healthy(h);
    state = await h.advance(INTERVAL - 1);
    assert.equal(state.weight, 10, 'nothing happens before the interval ends');
    state = await h.advance(1);
    assert.equal(state.weight, 50);
    assert.equal(h.weight(), 50);
    assert.equal(state.analyses.at(-1)!.verdict, 'pass');
    healthy(h);
    state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'promoted');
    assert.equal(h.weight(), 100);
    assert.deepEqual(state.history.map((e) => [e.event, e.weight]), [['started', 10], ['step', 50], ['promoted', 100]]);
    assert.equal(await h.counter('promoted'), 1);
    // Each stored event is reported once, as it is stored (notifications hang off this).
    assert.deepEqual(h.reported, [['fraud', 'started', 10, 'config'], ['fraud', 'step', 50, 'analysis'], ['fraud', 'promoted', 100, 'analysis']]);
    await h.advance(INTERVAL);
    assert.equal(h.reported.length, 3);
  });

  it('aborts on errors after failureLimit failed intervals: canary to 0 %, with the reason', async () => {
    h = await new Harness().init();
    await h.advance(0);
    h.serve('v1', 400, { classes: { 0: 360, 1: 40 } });
    h.serve('v2', 100, { errors: 5, classes: { 0: 90, 1: 10 } });
    let state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'progressing');
    assert.equal(state.failures, 1);
    assert.equal(h.weight(), 10, 'one failed interval holds the step');
    assert.equal(state.analyses.at(-1)!.checks.find((c) => c.name === 'errorRate')!.value, 0.05);
    h.serve('v1', 400, { classes: { 0: 360, 1: 40 } });
    h.serve('v2', 100, { errors: 5, classes: { 0: 90, 1: 10 } });
    state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'aborted');
    assert.equal(h.weight(), 0);
    assert.equal(state.reason, 'errorRate 0.05 above 0.02; 2 failed intervals in a row reached failureLimit 2');
    assert.equal(await h.counter('aborted'), 1);
    // Aborted stays aborted: later intervals change nothing.
    healthy(h);
    state = await h.advance(INTERVAL * 3);
    assert.equal(state.phase, 'aborted');
    assert.equal(h.weight(), 0);
  });

  it('aborts on latency (p99 above maxP99Ms)', async () => {
    h = await new Harness().init();
    await h.advance(0);
    for (let i = 0; i < 2; i++) {
      h.serve('v1', 400, { classes: { 0: 360, 1: 40 } });
      h.serve('v2', 95, { ms: 20, classes: { 0: 90, 1: 10 } });
      h.serve('v2', 5, { ms: 300 });
      await h.advance(INTERVAL);
    }
    const state = (await h.store.getRollout('fraud'))!;
    assert.equal(state.phase, 'aborted');
    const p99 = state.analyses.at(-1)!.checks.find((c) => c.name === 'p99Ms')!;
    assert.equal(p99.passed, false);
    assert.ok(p99.value! >= 300 && p99.value! < 315, `p99 ${p99.value}`);
    // 300 ms falls in the 5 % bucket whose upper bound is 313.5 ms.
    assert.equal(state.reason, 'p99Ms 313.5 above 100; 2 failed intervals in a row reached failureLimit 2');
  });

  it('aborts on prediction drift: the canary predicts class 1 far more often than stable', async () => {
    h = await new Harness().init();
    await h.advance(0);
    for (let i = 0; i < 2; i++) {
      h.serve('v1', 400, { classes: { 0: 360, 1: 40 } });
      h.serve('v2', 100, { classes: { 0: 75, 1: 25 } });
      await h.advance(INTERVAL);
    }
    const state = (await h.store.getRollout('fraud'))!;
    assert.equal(state.phase, 'aborted');
    const shift = state.analyses.at(-1)!.checks.find((c) => c.name === 'predictionShift')!;
    assert.equal(Number(shift.value!.toFixed(6)), 0.15);
    assert.deepEqual(state.analyses.at(-1)!.canary.classShares, { 0: 0.75, 1: 0.25 });
    assert.equal(h.weight(), 0);
  });

  it('inconclusive intervals (too few requests) never pass, and pause after maxInconclusive', async () => {
    h = await new Harness().init();
    await h.advance(0);
    h.serve('v2', 49);
    let state = await h.advance(INTERVAL);
    assert.equal(state.analyses.at(-1)!.verdict, 'inconclusive');
    assert.equal(state.analyses.at(-1)!.reason, 'the canary served 49 requests, fewer than minRequests (50)');
    assert.equal(state.weight, 10);
    state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'progressing');
    state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'paused');
    assert.match(state.reason!, /^3 inconclusive intervals in a row \(maxInconclusive 3\)/);
    assert.equal(h.weight(), 10, 'a pause holds the weight');
    // Paused: a healthy interval is recorded but moves nothing.
    healthy(h);
    state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'paused');
    assert.equal(state.analyses.at(-1)!.verdict, 'pass');
  });

  it('human commands: pause, resume, promote a step, abort, resume from aborted, promote fully', async () => {
    h = await new Harness().init();
    await h.advance(0);
    let state = await h.controller.command(h.route, 'pause', { reason: 'looking at dashboards' });
    assert.equal(state.phase, 'paused');
    await assert.rejects(h.controller.command(h.route, 'pause'), /is paused; only a progressing rollout pauses/);
    state = await h.controller.command(h.route, 'resume');
    assert.equal(state.phase, 'progressing');
    state = await h.controller.command(h.route, 'promote');
    assert.equal(state.weight, 50);
    state = await h.controller.command(h.route, 'abort', { reason: 'support tickets' });
    assert.equal(state.phase, 'aborted');
    assert.equal(state.reason, 'aborted by hand: support tickets');
    await h.advance(0);
    assert.equal(h.weight(), 0);
    state = await h.controller.command(h.route, 'resume');
    assert.equal(state.phase, 'progressing');
    assert.equal(state.weight, 10, 'resuming an aborted rollout starts again at the first step');
    state = await h.controller.command(h.route, 'promote', { full: true });
    assert.equal(state.phase, 'promoted');
    await h.advance(0);
    assert.equal(h.weight(), 100);
    assert.deepEqual(state.history.map((e) => `${e.event}:${e.by}`), [
      'started:config', 'paused:human', 'resumed:human', 'step:human', 'aborted:human', 'resumed:human', 'promoted:human',
    ]);
  });

  it('a YAML change of the canary version mid-rollout starts over; an aborted rollout stays aborted until then', async () => {
    h = await new Harness().init();
    await h.advance(0);
    healthy(h);
    await h.advance(INTERVAL);
    await h.controller.command(h.route, 'abort');
    await h.reload(CANARY); // same target: still aborted
    let state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'aborted');
    assert.equal(h.weight(), 0);
    await h.reload(CANARY.replace('canary: v2', 'canary: v3'));
    state = await h.advance(0);
    assert.equal(state.phase, 'progressing');
    assert.equal(state.weight, 10);
    assert.equal(h.weight(), 10);
    assert.deepEqual(state.history.map((e) => e.event), ['started']);
    assert.equal(state.analyses.length, 0);
  });

  it('observe mode reports would_abort and keeps the weight', async () => {
    h = await new Harness().init(CANARY.replace('failureLimit: 2', 'failureLimit: 1, mode: observe'));
    await h.advance(0);
    h.serve('v1', 400);
    h.serve('v2', 100, { errors: 10 });
    const state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'progressing');
    assert.equal(h.weight(), 10);
    assert.equal(state.history.at(-1)!.event, 'would_abort');
    assert.equal(await h.counter('would_abort'), 1);
  });

  it('golden gate: below minScore the rollout does not start and says why; above it, the first step begins', async () => {
    const golden = CANARY.replace(' }  }', ' } }').replace('maxPredictionShift: 0.05 } }', 'maxPredictionShift: 0.05 }, golden: { minScore: 0.9 } }');
    h = await new Harness().init(golden);
    h.golden = { score: 0.8, detail: '160 of 200 rows matched' };
    let state = await h.advance(0);
    assert.equal(state.phase, 'blocked');
    assert.equal(state.reason, 'golden score 0.8 is below minScore 0.9 (160 of 200 rows matched); the rollout did not start');
    assert.equal(h.weight(), 0);
    await h.close();

    h = await new Harness().init(golden);
    h.golden = { score: 0.95, detail: '190 of 200 rows matched' };
    state = await h.advance(0);
    assert.equal(state.phase, 'progressing');
    assert.equal(h.weight(), 10);
    assert.deepEqual(state.history.map((e) => e.event), ['started', 'golden_passed']);
  });

  it('shadow phase: canary at 0 % until enough rows agree; too little agreement blocks the rollout', async () => {
    const phase = CANARY.replace('maxPredictionShift: 0.05 } }', 'maxPredictionShift: 0.05 }, shadowPhase: { minAgreement: 0.95, minRequests: 100 } }');
    h = await new Harness().init(phase);
    let state = await h.advance(0);
    assert.equal(state.phase, 'shadow');
    assert.equal(h.weight(), 0);
    assert.ok(h.meter.shadowing.has('fraud'), 'every replica copies stable traffic to the canary');
    h.serve('v1', 400);
    h.serve('v2', 0, { pairs: { rows: 99, agreeing: 99 } });
    state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'shadow', 'too few rows compared: inconclusive');
    h.serve('v2', 0, { pairs: { rows: 200, agreeing: 194 } });
    state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'progressing');
    assert.equal(h.weight(), 10);
    assert.equal(state.history.at(-1)!.reason, 'agreement 0.97 ≥ 0.95 over 200 rows');
    assert.ok(!h.meter.shadowing.has('fraud'));
    await h.close();

    h = await new Harness().init(phase);
    await h.advance(0);
    h.serve('v2', 0, { pairs: { rows: 200, agreeing: 174 } });
    state = await h.advance(INTERVAL);
    assert.equal(state.phase, 'blocked');
    assert.equal(state.reason, 'shadow agreement 0.87 is below minAgreement 0.95 (174 of 200 rows); the rollout did not start');
    assert.equal(h.weight(), 0);
  });
});
