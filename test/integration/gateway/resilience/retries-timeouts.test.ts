import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { metric, refusingUrl, startFaultUpstream, type FaultUpstream } from '../../../helpers/gateway/fault-upstream.js';

const alwaysUp = { probe: { probe: () => Promise.resolve(true) } };

async function timed(url: string, init?: RequestInit): Promise<{ status: number; ms: number; body: string; headers: Headers }> {
  const started = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { status: res.status, ms: performance.now() - started, body, headers: res.headers };
}

describe('retries and timeouts against real upstreams that refuse, hang, answer slowly and fail', () => {
  let good: FaultUpstream;
  let hang: FaultUpstream;
  let slow: FaultUpstream;
  let flaky: FaultUpstream;
  let gw: TestGateway;
  before(async () => {
    good = await startFaultUpstream('good');
    hang = await startFaultUpstream('hang', { kind: 'hang' });
    slow = await startFaultUpstream('slow', { kind: 'slow', ms: 150 });
    flaky = await startFaultUpstream('flaky', { kind: 'status', status: 503 });
    const refused = await refusingUrl();
    gw = await startTestGateway(`backends:
  half-dead: { endpoints: [${refused}, ${good.url}] }
  hang: { endpoints: [${hang.url}] }
  slow: { endpoints: [${slow.url}] }
  flaky: { endpoints: [${flaky.url}] }
  post-plain: { endpoints: [${flaky.url}] }
routes:
  - name: half-dead
    match: { pathPrefix: /half-dead }
    backend: half-dead
    resilience: { retries: { attempts: 1, backoff: 1ms } }
  - name: hang
    match: { pathPrefix: /hang }
    backend: hang
    resilience: { timeouts: { connect: 100ms, perTry: 200ms, total: 2s }, retries: { attempts: 1, backoff: 1ms } }
  - name: total
    match: { pathPrefix: /total }
    backend: hang
    resilience: { timeouts: { connect: 100ms, perTry: 1s, total: 300ms }, retries: { attempts: 3 } }
  - name: slow
    match: { pathPrefix: /slow }
    backend: slow
    resilience: { timeouts: { perTry: 1s, total: 2s } }
  - name: flaky
    match: { pathPrefix: /flaky }
    backend: flaky
    resilience: { retries: { attempts: 2, backoff: 1ms } }
  - name: post-plain
    match: { pathPrefix: /post-plain }
    backend: post-plain
    resilience: { retries: { attempts: 2, backoff: 1ms } }
`, alwaysUp);
  });
  after(async () => {
    await gw.stop();
    await Promise.all([good, hang, slow, flaky].map((u) => u.close()));
  });

  it('sends a refused request to the other endpoint without spending a retry: every request succeeds', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await timed(`${gw.url}/half-dead/x`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-upstream'), 'good');
    }
    const retries = await metric(gw.adminUrl, 'switchyard_gateway_retries_total', 'route="half-dead",backend="half-dead"');
    const refused = await metric(gw.adminUrl, 'switchyard_gateway_upstream_connect_errors_total', 'backend="half-dead"');
    // A refused connection is not a retry of work done; the endpoint leaves the rotation at once.
    assert.equal(retries, 0);
    assert.ok(refused >= 1, `the dead endpoint was tried (${refused} refused)`);
  });

  it('ends a hanging try at perTry, retries once, and answers 504 well within the total', async () => {
    const r = await timed(`${gw.url}/hang/x`);
    assert.equal(r.status, 504);
    assert.equal(JSON.parse(r.body).code, 'UPSTREAM_TIMEOUT');
    assert.ok(r.ms >= 390 && r.ms < 1_000, `two tries of 200 ms (${r.ms.toFixed(0)} ms)`);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_timeouts_total', 'route="hang",kind="perTry"'), 2);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_retries_total', 'route="hang",backend="hang"'), 1);
  });

  it('never waits past the total timeout, whatever perTry and attempts say', async () => {
    const r = await timed(`${gw.url}/total/x`);
    assert.equal(r.status, 504);
    assert.ok(r.ms >= 290 && r.ms < 800, `total of 300 ms (${r.ms.toFixed(0)} ms)`);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_timeouts_total', 'route="total",kind="total"'), 1);
  });

  it('waits for a slow upstream that answers within perTry', async () => {
    const r = await timed(`${gw.url}/slow/x`);
    assert.equal(r.status, 200);
    assert.ok(r.ms >= 140 && r.ms < 900, `${r.ms.toFixed(0)} ms`);
  });

  it('retries listed statuses on idempotent requests, then returns the last answer', async () => {
    const before = flaky.count();
    const r = await timed(`${gw.url}/flaky/x`);
    assert.equal(r.status, 503);
    assert.equal(flaky.count() - before, 3, 'the first try and two retries');
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_retries_total', 'route="flaky",backend="flaky"'), 2);
  });

  it('does not repeat a POST to a plain route that the upstream may have acted on', async () => {
    const before = flaky.count();
    const r = await timed(`${gw.url}/post-plain/x`, { method: 'POST', body: 'charge the card' });
    assert.equal(r.status, 503);
    assert.equal(flaky.count() - before, 1);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_retries_total', 'route="post-plain",backend="post-plain"'), 0);
  });
});

describe('retry budget', () => {
  it('stops retrying when retries in flight pass the budget, and counts it', async () => {
    const up = await startFaultUpstream('slow-fail', { kind: 'status', status: 503 });
    const gw = await startTestGateway(`backends: { b: { endpoints: [${up.url}] } }
routes:
  - { name: r, match: { pathPrefix: / }, backend: b, resilience: { retries: { attempts: 1, budgetPercent: 0, minRetryConcurrency: 1, backoff: 50ms } } }
`, alwaysUp);
    try {
      // 10 concurrent failing requests: only one retry may be in flight at a time.
      const results = await Promise.all(Array.from({ length: 10 }, () => fetch(`${gw.url}/x`).then((r) => r.status)));
      assert.deepEqual(results, Array(10).fill(503));
      const retries = await metric(gw.adminUrl, 'switchyard_gateway_retries_total', 'route="r",backend="b"');
      const exhausted = await metric(gw.adminUrl, 'switchyard_gateway_retry_budget_exhausted_total', 'route="r",backend="b"');
      assert.equal(retries + exhausted, 10, 'every request either retried once or was refused a retry');
      assert.ok(exhausted >= 1, `the budget refused some (${exhausted})`);
      assert.equal(up.count(), 10 + retries);
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});
