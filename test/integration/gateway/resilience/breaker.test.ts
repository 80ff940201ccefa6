import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { metric, refusingUrl, startFaultUpstream, type FaultUpstream } from '../../../helpers/gateway/fault-upstream.js';

describe('circuit breaker against a real failing upstream', () => {
  let up: FaultUpstream;
  let gw: TestGateway;
  let clock = 1_000_000;
  before(async () => {
    up = await startFaultUpstream('storm', { kind: 'status', status: 500 });
    const refused = await refusingUrl();
    gw = await startTestGateway(`backends:
  storm: { endpoints: [${up.url}] }
  gone: { endpoints: [${refused}] }
routes:
  - name: storm
    match: { pathPrefix: /storm }
    backend: storm
    resilience: { circuitBreaker: { consecutiveFailures: 3, openFor: 5s, maxOpenFor: 15s } }
  - name: gone
    match: { pathPrefix: /gone }
    backend: gone
    resilience: { circuitBreaker: { consecutiveFailures: 2, openFor: 5s } }
    fallback: { static: { status: 200, body: { outputs: [], degraded: true } } }
`, { now: () => clock, probe: { probe: () => Promise.resolve(true) } });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  it('opens after consecutive 5xx and then fails fast with 503 CIRCUIT_OPEN and Retry-After', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${gw.url}/storm/x`)).status, 500);
    assert.equal(up.count(), 3);
    const started = performance.now();
    const res = await fetch(`${gw.url}/storm/x`);
    const elapsed = performance.now() - started;
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    const body = await res.json() as { code: string; error: string };
    assert.equal(body.code, 'CIRCUIT_OPEN');
    assert.match(body.error, /backend 'storm' is failing and its circuit breaker is open/);
    assert.ok(elapsed < 200, `failed fast (${elapsed.toFixed(0)} ms)`);
    assert.equal(up.count(), 3, 'the open breaker sent nothing upstream');
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_state', 'backend="storm",mode="enforce"'), 1);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_transitions_total', 'backend="storm",from="closed",to="open",mode="enforce"'), 1);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_rejected_total', 'backend="storm",mode="enforce"'), 1);
  });

  it('lets one probe through when the open time is over; a failed probe reopens it for twice as long', async () => {
    clock += 5_000;
    assert.equal((await fetch(`${gw.url}/storm/x`)).status, 500, 'the probe reached the still-failing upstream');
    assert.equal(up.count(), 4);
    const res = await fetch(`${gw.url}/storm/x`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '10', 'the second opening lasts openFor × 2');
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_transitions_total', 'backend="storm",from="half-open",to="open",mode="enforce"'), 1);
  });

  it('closes on a successful probe (the upstream flapped back)', async () => {
    up.setMode({ kind: 'ok' });
    clock += 10_000;
    assert.equal((await fetch(`${gw.url}/storm/x`)).status, 200);
    assert.equal((await fetch(`${gw.url}/storm/x`)).status, 200);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_state', 'backend="storm",mode="enforce"'), 0);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_transitions_total', 'backend="storm",from="half-open",to="closed",mode="enforce"'), 1);
  });

  // The prober is told every endpoint is up, as between two probes of a worker that just died.
  it('counts refused connections as failures; while open, the static fallback answers at once', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${gw.url}/gone/x`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-switchyard-fallback'), 'static');
      assert.deepEqual(await res.json(), { outputs: [], degraded: true });
    }
    const started = performance.now();
    const res = await fetch(`${gw.url}/gone/x`);
    assert.equal(res.headers.get('x-switchyard-fallback'), 'static');
    await res.arrayBuffer();
    assert.ok(performance.now() - started < 200);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_rejected_total', 'backend="gone",mode="enforce"'), 1);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_fallback_total', 'route="gone",kind="static"'), 3);
    assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_upstream_connect_errors_total', 'backend="gone"'), 2);
  });
});

describe('circuit breaker against a flapping upstream', () => {
  it('opens on the failure rate when failures never come three in a row', async () => {
    const up = await startFaultUpstream('flap', { kind: 'flap', status: 500 });
    const gw = await startTestGateway(`backends: { b: { endpoints: [${up.url}] } }
routes:
  - { name: r, match: { pathPrefix: / }, backend: b, resilience: { circuitBreaker: { consecutiveFailures: 3, failureRate: 0.5, minRequests: 10, window: 1m } } }
`, { probe: { probe: () => Promise.resolve(true) } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push(await fetch(`${gw.url}/x`).then(async (r) => (await r.arrayBuffer(), r.status)));
      // 500, 200, 500, ...: fewer than 10 results are not judged; the rate is judged on a failure, so the 11th (6 of 11) opens it.
      assert.deepEqual(statuses, [500, 200, 500, 200, 500, 200, 500, 200, 500, 200, 500, 503]);
      assert.equal(up.count(), 11);
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_transitions_total', 'backend="b",from="closed",to="open",mode="enforce"'), 1);
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});

describe('circuit breaker in observe mode', () => {
  it('counts what it would refuse and refuses nothing', async () => {
    const up = await startFaultUpstream('observed', { kind: 'status', status: 502 });
    const gw = await startTestGateway(`backends: { b: { endpoints: [${up.url}] } }
routes:
  - { name: r, match: { pathPrefix: / }, backend: b, resilience: { circuitBreaker: { consecutiveFailures: 2, mode: observe } } }
`);
    try {
      for (let i = 0; i < 5; i++) assert.equal((await fetch(`${gw.url}/x`)).status, 502);
      assert.equal(up.count(), 5, 'every request reached the upstream');
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_rejected_total', 'backend="b",mode="observe"'), 3);
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_state', 'backend="b",mode="observe"'), 1);
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_circuit_breaker_transitions_total', 'backend="b",from="closed",to="open",mode="observe"'), 1);
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});
