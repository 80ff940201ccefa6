import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from 'undici';
import { silentLogger } from '../../../../observability/logger.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { createModelRunner } from '../../../../worker/batching/model-runner.js';
import { startWorker, type RunningWorker } from '../../../../worker/start-worker.js';
import { until } from '../../../helpers/process.js';
import { slowFraudRepository } from '../grpc/grpc-worker.js';

const [row] = generateTransactions(1, { seed: 7 });
const BODY = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: row }] });

/** A worker serving `slow` (fraud whose lone request waits `delayMicros` for company in the batcher). */
async function slowWorker(delayMicros: number, drainTimeoutMs?: number): Promise<RunningWorker & { url: string }> {
  const w = await startWorker({
    modelsDir: await slowFraudRepository(delayMicros), httpPort: 0, host: '127.0.0.1', log: silentLogger(), createRunner: createModelRunner, drainTimeoutMs,
  });
  return Object.assign(w, { url: `http://127.0.0.1:${w.httpPort}` });
}

function infer(client: Client): Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined>; body: { text(): Promise<string> } }> {
  return client.request({ method: 'POST', path: '/v2/models/slow/infer', headers: { 'content-type': 'application/json' }, body: BODY });
}

describe('worker drain (SIGTERM)', () => {
  it('stops accepting at once, answers what it holds with Connection: close, then resolves', async () => {
    // A lone request waits 400 ms for company: in flight while the drain starts.
    const w = await slowWorker(400_000);
    const first = new Client(w.url);
    const second = new Client(w.url);
    try {
      const a = infer(first);
      const b = infer(second);
      await until(async () => w.http.inFlightRequests === 2, 'both requests to be in flight');
      const drained = w.drain();
      // Readiness fails and the listener is closed: a new connection (a probe, a proxy) is refused.
      await assert.rejects(fetch(`${w.url}/v2/health/ready`), 'a new connection is refused while draining');
      for (const pending of [a, b]) {
        const res = await pending;
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers.connection, 'close', 'a keep-alive client learns from the answer that the connection ends');
        assert.match(await res.body.text(), /"model_name":"slow"/);
      }
      await drained;
      assert.equal(w.http.inFlightRequests, 0);
      assert.equal(w.http.server.listening, false);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await w.drain();
    }
  });

  it('cuts what is still open when the drain time limit is reached', async () => {
    // A lone request would wait a minute for company: only the time limit ends it.
    const w = await slowWorker(60_000_000, 50);
    const client = new Client(w.url);
    try {
      const held = infer(client);
      held.catch(() => undefined);
      await until(async () => w.http.inFlightRequests === 1, 'the request to be in flight');
      await w.drain();
      await assert.rejects(held, { code: 'UND_ERR_SOCKET' }, 'the connection was closed without an answer');
      assert.equal(w.http.server.listening, false);
    } finally {
      await client.destroy();
    }
  });
});
