import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runReplacement, runSigterm } from '../../../../loadtest/faults/worker-lifecycle.js';
import { demoRepository } from '../../../helpers/worker.js';

const CLIENTS = 8;
/** Answers between two steps of an event: enough that every step happens under load. */
const BETWEEN = 200;

describe('workers leaving under keep-alive load (real worker and gateway processes)', () => {
  it('replacing every worker of the pool one by one, with the shipped resilience defaults, fails no request', { timeout: 120_000 }, async () => {
    const result = await runReplacement({ models: await demoRepository(['iris']), clients: CLIENTS, resilience: '{}', requestsBetween: BETWEEN });
    const figures = JSON.stringify(result);
    assert.ok(result.during.requests >= 4 * BETWEEN, `load ran through the replacement: ${figures}`);
    assert.equal(result.all.failed, 0, `no request failed: ${figures}`);
  });

  it('SIGTERM to one of two workers on a retries-only route fails no request after the first 100 ms', { timeout: 120_000 }, async () => {
    const result = await runSigterm({
      models: await demoRepository(['iris']), clients: CLIENTS, resilience: '{ retries: { attempts: 2 } }', requestsBetween: BETWEEN,
    });
    const figures = JSON.stringify(result);
    assert.ok(result.after100ms.requests >= BETWEEN, `load ran on after the SIGTERM: ${figures}`);
    assert.equal(result.after100ms.failed, 0, `no request sent from 100 ms after the SIGTERM on failed: ${figures}`);
  });
});
