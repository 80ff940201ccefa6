import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, it } from 'node:test';
import { getJson, postJson } from '../../../helpers/http.js';
import { inferBody, startFakeModel, type FakeModel } from '../../../helpers/gateway/fake-model.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';

function yaml(primary: string, shadow: string, options: string): string {
  return `
backends:
  v1: { endpoints: [${primary}], model: fraud, version: 1 }
  v3: { endpoints: [${shadow}], model: fraud, version: 3 }
routes:
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    backend: v1
    shadow: { backend: v3, ${options} }
`;
}

interface Figures {
  route: string; backend: string; sent: number; dropped: number; skipped: number; verdicts: Record<string, number>;
  comparedRows: number; agreeingRows: number; agreement: number | null; meanAbsDifference: number | null; errorRate: number | null; meanLatencyDifferenceMs: number | null;
}

async function figures(gw: TestGateway): Promise<Figures> {
  const body = (await getJson(`${gw.adminUrl}/admin/shadows`)).body as { shadows: Figures[] };
  return body.shadows[0]!;
}

async function until(probe: () => Promise<boolean>, limitMs: number, what: string): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('shadow traffic', () => {
  let primary: FakeModel;
  let shadow: FakeModel;
  let gw: TestGateway;
  afterEach(async () => {
    await gw.stop();
    await Promise.all([primary.close(), shadow.close()]);
  });

  it('a hanging shadow changes neither the status nor the latency of the primary; the cap drops copies past maxConcurrent', { timeout: 20_000 }, async () => {
    primary = await startFakeModel();
    shadow = await startFakeModel({ hang: true });
    gw = await startTestGateway(yaml(primary.url, shadow.url, 'percent: 100, timeout: 1500ms, maxConcurrent: 2'));
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const res = await postJson(`${gw.url}/v2/models/fraud/infer`, inferBody([0.9, 0]));
      const ms = performance.now() - started;
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-switchyard-backend'), 'v1');
      assert.deepEqual((res.body as { outputs: { data: number[] }[] }).outputs[0]!.data, [0.1, 0.9]);
      assert.ok(ms < 500, `primary answered in ${ms.toFixed(0)} ms with a hanging shadow`);
    }
    await until(async () => shadow.count() === 2, 2_000, 'two shadows arrive');
    const during = await figures(gw);
    assert.equal(during.dropped, 3);
    assert.equal(during.sent, 0);
    await until(async () => (await figures(gw)).verdicts.timeout === 2, 5_000, 'the two shadows time out');
    const after = await figures(gw);
    assert.equal(after.sent, 2);
    assert.equal(after.errorRate, 1);
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    assert.match(metrics, /switchyard_shadow_requests_total\{route="fraud",backend="v3",outcome="dropped"\} 3/);
    assert.match(metrics, /switchyard_shadow_requests_total\{route="fraud",backend="v3",outcome="timeout"\} 2/);
  });

  it('compares the shadow answers with the primary: top-class agreement and mean absolute difference', { timeout: 20_000 }, async () => {
    primary = await startFakeModel();
    // The shadow calls class 1 from 0.35 up: it disagrees on inputs 0.4 and 0.5 of the ten below.
    shadow = await startFakeModel({ classify: (row) => (row[0]! > 0.35 ? 1 : 0) });
    gw = await startTestGateway(yaml(primary.url, shadow.url, 'compare: outputs'));
    for (let i = 0; i < 10; i++) {
      const res = await postJson(`${gw.url}/v2/models/fraud/infer`, inferBody([i / 10, 0]));
      assert.equal(res.status, 200);
    }
    await until(async () => (await figures(gw)).sent === 10, 5_000, 'ten shadows answered');
    const f = await figures(gw);
    assert.equal(f.comparedRows, 10);
    assert.equal(f.agreeingRows, 8);
    assert.equal(f.agreement, 0.8);
    // Disagreeing answers differ by 0.8 in both outputs; agreeing ones by 0: mean 2 × 0.8 / 10.
    assert.equal(Number(f.meanAbsDifference!.toFixed(6)), 0.16);
    assert.equal(f.errorRate, 0);
    assert.equal(typeof f.meanLatencyDifferenceMs, 'number');
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    assert.match(metrics, /switchyard_shadow_compared_rows_total\{route="fraud",backend="v3",agreement="disagree"\} 2/);
  });
});
