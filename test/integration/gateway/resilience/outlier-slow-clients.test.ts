import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startTestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { metric, startFaultUpstream } from '../../../helpers/gateway/fault-upstream.js';

const alwaysUp = { probe: { probe: () => Promise.resolve(true) } };

describe('outlier ejection inside a backend', () => {
  it('ejects the endpoint that answers 5xx, sends everything to the other, and brings it back after the ejection time', async () => {
    const bad = await startFaultUpstream('bad', { kind: 'status', status: 500 });
    const good = await startFaultUpstream('good');
    let clock = 1_000_000;
    const gw = await startTestGateway(`backends: { b: { endpoints: [${bad.url}, ${good.url}] } }
routes:
  - name: r
    match: { pathPrefix: / }
    backend: b
    resilience: { outlierDetection: { consecutive5xx: 3, baseEjection: 30s, maxEjectionPercent: 50 } }
`, { ...alwaysUp, now: () => clock });
    try {
      // Until the bad endpoint has failed 3 times in a row, some requests see its 500.
      let served = 0;
      while (bad.count() < 3) {
        await (await fetch(`${gw.url}/x`)).arrayBuffer();
        assert.ok(++served < 200, 'the bad endpoint is drawn now and then');
      }
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_outlier_ejections_total', 'backend="b"'), 1);
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_outlier_ejected_endpoints', 'backend="b"'), 1);
      const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${gw.url}/x`).then(async (r) => (await r.arrayBuffer(), r.status))));
      assert.deepEqual(statuses, Array(20).fill(200), 'while ejected, only the good endpoint serves');
      assert.equal(bad.count(), 3);

      bad.setMode({ kind: 'ok' });
      clock += 30_000;
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_outlier_ejected_endpoints', 'backend="b"'), 0, 'the ejection is over');
      for (let i = 0; i < 40 && bad.count() === 3; i++) await (await fetch(`${gw.url}/x`)).arrayBuffer();
      assert.ok(bad.count() > 3, 'the endpoint got traffic back once its ejection ended');
    } finally {
      await gw.stop();
      await bad.close();
      await good.close();
    }
  });

  it('never ejects more than maxEjectionPercent of the endpoints (at least one may go)', async () => {
    const a = await startFaultUpstream('a', { kind: 'status', status: 503 });
    const b = await startFaultUpstream('b', { kind: 'status', status: 503 });
    const gw = await startTestGateway(`backends: { b: { endpoints: [${a.url}, ${b.url}] } }
routes:
  - { name: r, match: { pathPrefix: / }, backend: b, resilience: { outlierDetection: { consecutiveGatewayFailure: 2, maxEjectionPercent: 10 } } }
`, alwaysUp);
    try {
      for (let i = 0; i < 30; i++) assert.equal((await fetch(`${gw.url}/x`).then(async (r) => (await r.arrayBuffer(), r.status))), 503);
      assert.equal(await metric(gw.adminUrl, 'switchyard_gateway_outlier_ejections_total', 'backend="b"'), 1);
    } finally {
      await gw.stop();
      await a.close();
      await b.close();
    }
  });
});

describe('slow or stalled clients on the data listener', () => {
  it('answers 408 and closes a connection that trickles its headers past clientHeaderTimeout', async () => {
    const up = await startFaultUpstream('up');
    const gw = await startTestGateway(`limits: { clientHeaderTimeout: 300ms, clientBodyTimeout: 600ms, maxClientConnections: 3 }
backends: { b: { endpoints: [${up.url}] } }
routes: [{ name: r, match: { pathPrefix: / }, backend: b }]
`, alwaysUp);
    try {
      const port = gw.gateway.httpPort;
      const slowloris = async (send: string): Promise<{ text: string; ms: number }> => {
        const started = performance.now();
        const socket = connect(port, '127.0.0.1');
        socket.write(send);
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString()));
        await new Promise<void>((resolve) => socket.once('close', () => resolve()));
        return { text, ms: performance.now() - started };
      };
      const headers = await slowloris('GET /x HTTP/1.1\r\nHost: a\r\nX-Slow: ');
      assert.match(headers.text, /^HTTP\/1\.1 408/);
      assert.ok(headers.ms >= 290 && headers.ms < 1_500, `closed after ${headers.ms.toFixed(0)} ms`);
      const body = await slowloris('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc');
      assert.ok(body.ms >= 590 && body.ms < 2_000, `closed after ${body.ms.toFixed(0)} ms`);
      assert.equal(up.count(), 0, 'neither reached the upstream');

      // Three idle connections take every slot: a fourth is closed at once.
      const idle = await Promise.all(Array.from({ length: 3 }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
        const s = connect(port, '127.0.0.1', () => resolve(s));
      })));
      const extra = connect(port, '127.0.0.1');
      const closedAt = await new Promise<number>((resolve) => {
        const started = performance.now();
        extra.on('error', () => undefined);
        extra.once('close', () => resolve(performance.now() - started));
      });
      assert.ok(closedAt < 250, `the fourth connection was closed at once (${closedAt.toFixed(0)} ms)`);
      for (const s of idle) s.destroy();
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});
