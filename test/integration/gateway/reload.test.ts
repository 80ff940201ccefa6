import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketOf } from '../../../gateway/routing/assignment.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';

const CONCURRENCY = 6;
const RELOADS = 20;

function config(stable: string, canary: string, weight: number): string {
  return `
backends:
  stable: { endpoints: [${stable}] }
  canary: { endpoints: [${canary}] }
routes:
  - name: api
    match: { pathPrefix: /api }
    rollout: { strategy: canary, stable: stable, canary: canary, weight: ${weight} }
`;
}

describe('hot reload under load', () => {
  let stable: EchoUpstream;
  let canary: EchoUpstream;
  let gw: TestGateway;

  before(async () => {
    stable = await startEchoUpstream('stable');
    canary = await startEchoUpstream('canary');
    // Probes are stubbed so that upstream connections count only proxied traffic.
    gw = await startTestGateway(config(stable.url, canary.url, 0), { probe: { probe: () => Promise.resolve(true) } });
  });
  after(async () => {
    await gw.stop();
    await Promise.all([stable.close(), canary.close()]);
  });

  it(`reloads ${RELOADS} times with changing weights and fails no request`, async () => {
    let running = true;
    let completed = 0;
    const failures: string[] = [];
    let waiter: { target: number; resolve: () => void } | undefined;
    const loop = async (worker: number): Promise<void> => {
      for (let i = 0; running; i++) {
        try {
          const res = await fetch(`${gw.url}/api/x`, { method: 'POST', body: `w${worker}-${i}`, headers: { 'x-switchyard-unit': `w${worker}-${i}` } });
          const text = await res.text();
          if (res.status !== 200 || !text.includes(`w${worker}-${i}`)) failures.push(`${res.status} ${text.slice(0, 80)}`);
        } catch (err) {
          failures.push(String(err));
        }
        completed++;
        if (waiter !== undefined && completed >= waiter.target) waiter.resolve();
      }
    };
    /** Resolves once `n` more requests have completed: load really runs between reloads. */
    const moreRequests = (n: number): Promise<void> => new Promise((resolve) => (waiter = { target: completed + n, resolve }));
    const loops = Array.from({ length: CONCURRENCY }, (_, w) => loop(w));
    for (let r = 1; r <= RELOADS; r++) {
      await moreRequests(10);
      await gw.rewrite(config(stable.url, canary.url, (r * 7) % 100));
    }
    await gw.rewrite(config(stable.url, canary.url, 30));
    await moreRequests(20);
    running = false;
    await Promise.all(loops);

    assert.deepEqual(failures, []);
    assert.ok(completed > RELOADS * 10);
    const reloads = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    assert.match(reloads, new RegExp(`switchyard_config_reloads_total\\{result="success"\\} ${RELOADS + 1}\\n`));
    // Pools survive reloads: keep-alive connections are reused, not reopened per config.
    assert.ok(stable.connections() + canary.connections() <= 2 * CONCURRENCY, `${stable.connections()} + ${canary.connections()} connections`);

    // The last weight (30 %) is in effect: every unit lands where the sticky hash says.
    let toCanary = 0;
    for (let i = 0; i < 200; i++) {
      const unit = `final-${i}`;
      const res = await fetch(`${gw.url}/api/y`, { headers: { 'x-switchyard-unit': unit } });
      await res.arrayBuffer();
      const expected = bucketOf('api', unit) < 3000 ? 'canary' : 'stable';
      assert.equal(res.headers.get('x-switchyard-backend'), expected, unit);
      if (expected === 'canary') toCanary++;
    }
    assert.ok(toCanary > 40 && toCanary < 80, `${toCanary} of 200 on the canary`);
  });
});
