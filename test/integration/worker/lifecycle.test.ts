import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoRepository, startTestWorker } from '../../helpers/worker.js';
import { spawnCli, until } from '../../helpers/process.js';

/** A binary-extension request of `n` black 8-bit images for bench-cnn (the slow model). */
function cnnRequest(n: number): { headers: Record<string, string>; body: Buffer } {
  const bytes = n * 3 * 224 * 224;
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'image', datatype: 'UINT8', shape: [n, 3, 224, 224], parameters: { binary_data_size: bytes } }] }));
  return { headers: { 'inference-header-content-length': String(header.length) }, body: Buffer.concat([header, Buffer.alloc(bytes)]) };
}

async function inFlight(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^switchyard_worker_inflight_requests (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('worker lifecycle', () => {
  it('answers /v2/health/live in under 50 ms while a long inference runs', async () => {
    const w = await startTestWorker(['bench-cnn']);
    try {
      const { headers, body } = cnnRequest(16);
      const long = fetch(`${w.url}/v2/models/bench-cnn/infer`, { method: 'POST', headers, body });
      await until(async () => w.http.inFlightRequests > 0, 'the long request to arrive');
      const probes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const res = await fetch(`${w.url}/v2/health/live`);
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        probes.push(performance.now() - started);
      }
      assert.ok(w.http.inFlightRequests > 0, 'the long inference was still running during the probes');
      assert.equal((await long).status, 200);
      // onnxruntime's threads fill both cores of the test machine, so one probe can wait a
      // scheduler slice; a blocked HTTP thread would make every probe wait out the inference
      // (hundreds of ms). So: the median under 50 ms, and none near the inference's length.
      const listed = probes.map((p) => p.toFixed(1)).join(', ');
      const median = [...probes].sort((a, b) => a - b)[2]!;
      assert.ok(median < 50, `median live probe took ${median.toFixed(1)} ms (probes: ${listed})`);
      for (const ms of probes) assert.ok(ms < 200, `a live probe took ${ms.toFixed(1)} ms (probes: ${listed})`);
    } finally {
      await w.drain();
    }
  });

  it('on SIGTERM stops being ready, finishes the in-flight request and exits 0', async () => {
    const repo = await demoRepository(['bench-cnn']);
    const cli = spawnCli(['worker', '--models', repo, '--http-port', '0', '--host', '127.0.0.1']);
    const listening = await cli.waitForLine((l) => l.event === 'listening');
    const url = `http://127.0.0.1:${listening.httpPort as number}`;
    assert.equal((await fetch(`${url}/v2/health/ready`)).status, 200);
    const { headers, body } = cnnRequest(16);
    const pending = fetch(`${url}/v2/models/bench-cnn/infer`, { method: 'POST', headers, body });
    await until(async () => (await inFlight(url)) > 0, 'the request to be in flight');
    cli.child.kill('SIGTERM');
    await cli.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('draining'));
    const readiness = await fetch(`${url}/v2/health/ready`).then((r) => r.status, () => 'refused');
    assert.ok(readiness === 400 || readiness === 'refused', `readiness while draining: ${readiness}`);
    const res = await pending;
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { outputs: { shape: number[] }[] };
    assert.deepEqual(answer.outputs[0]!.shape, [16, 10]);
    assert.equal(await cli.exited, 0);
    await assert.rejects(fetch(`${url}/v2/health/live`), 'the listener is closed after the drain');
  });
});
