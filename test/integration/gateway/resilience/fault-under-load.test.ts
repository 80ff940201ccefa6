import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFaultScenario } from '../../../../loadtest/faults/scenario.js';
import { demoRepository } from '../../../helpers/worker.js';

describe('a worker killed under load', () => {
  it('costs at most 0.5 % of requests, none with a warm fallback cache, and the restarted worker gets traffic back', { timeout: 120_000 }, async () => {
    const result = await runFaultScenario({ models: await demoRepository(['iris']), seconds: 18, killAtSeconds: 3, restartAtSeconds: 5, connections: 8 });
    const figures = JSON.stringify(result);
    const plain = result.routes.plain!;
    const cached = result.routes.cached!;
    assert.ok(plain.during.requests > 100 && cached.during.requests > 100, `load went on while the worker was down: ${figures}`);
    assert.ok(plain.all.errorRate <= 0.005, `plain route: ${plain.all.failures} of ${plain.all.requests} failed: ${figures}`);
    assert.equal(cached.all.failures, 0, `with a warm fallback cache nothing fails: ${figures}`);
    assert.ok(result.restartedServed > 0, `the restarted worker served requests again (the prober finds it within 5 s of listening): ${figures}`);
  });
});
