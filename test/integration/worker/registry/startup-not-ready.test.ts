import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { silentLogger } from '../../../../observability/logger.js';
import { createModelRunner } from '../../../../worker/batching/model-runner.js';
import type { RunnerFactory } from '../../../../worker/registry/types.js';
import { startWorker } from '../../../../worker/start-worker.js';
import { freePort } from '../../../../loadtest/harness/free-port.js';
import { until } from '../../../helpers/process.js';
import { demoRepository } from '../../../helpers/worker.js';
import { failure, inferenceClient } from '../grpc/grpc-worker.js';

const IRIS = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] });

/** A runner factory that holds iris's load until `release` is called, and says when the load began. */
function heldIrisLoad(): { createRunner: RunnerFactory; loading: Promise<void>; release: () => void } {
  let began!: () => void;
  let release!: () => void;
  const loading = new Promise<void>((resolve) => (began = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const createRunner: RunnerFactory = async (spec) => {
    if (spec.model === 'iris') {
      began();
      await released;
    }
    return createModelRunner(spec);
  };
  return { createRunner, loading, release };
}

async function post(url: string): Promise<{ status: number; retryAfter: string | null; body: { code?: string; error?: string } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: IRIS });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { code?: string; error?: string } };
}

describe('a worker that is still loading its models', () => {
  it('answers 503 MODEL_NOT_READY (gRPC UNAVAILABLE) for a repository model not loaded yet, 404 for what the repository lacks, 200 once loaded', async () => {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${httpPort}`;
    const held = heldIrisLoad();
    const starting = startWorker({ modelsDir: await demoRepository(['fraud', 'iris']), httpPort, grpcPort, host: '127.0.0.1', log: silentLogger(), createRunner: held.createRunner });
    const client = inferenceClient(`127.0.0.1:${grpcPort}`);
    let released = false;
    try {
      await held.loading;
      await until(async () => (await fetch(`${url}/v2/health/live`).then((r) => r.status, () => 0)) === 200, 'the listener to answer');

      const rest = await post(`${url}/v2/models/iris/infer`);
      assert.equal(rest.status, 503);
      assert.equal(rest.retryAfter, '1');
      assert.deepEqual(rest.body, { error: "model 'iris' is loading; retry shortly", code: 'MODEL_NOT_READY' });
      const named = await post(`${url}/v2/models/iris/versions/1/infer`);
      assert.equal(named.status, 503);
      assert.equal(named.body.code, 'MODEL_NOT_READY');
      // A version the repository does not have, and a model it does not have, are still 404.
      assert.equal((await post(`${url}/v2/models/iris/versions/99/infer`)).body.code, 'VERSION_NOT_FOUND');
      const unknown = await post(`${url}/v2/models/nope/infer`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'MODEL_NOT_FOUND');

      const ready = await fetch(`${url}/v2/models/iris/ready`);
      assert.equal(ready.status, 400, "the protocol's not-ready answer");
      assert.equal(((await ready.json()) as { code: string }).code, 'MODEL_NOT_READY');
      assert.equal((await fetch(`${url}/v2/health/ready`)).status, 400);

      const grpcInfer = await failure(client.call('ModelInfer', { model_name: 'iris', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [5.1, 3.5, 1.4, 0.2] } }] }));
      assert.equal(grpcInfer.code, Status.UNAVAILABLE);
      assert.equal(grpcInfer.switchyardCode, 'MODEL_NOT_READY');
      assert.deepEqual(await client.call('ModelReady', { name: 'iris' }), { ready: false });
      assert.equal((await failure(client.call('ModelReady', { name: 'nope' }))).code, Status.NOT_FOUND);

      held.release();
      released = true;
      const worker = await starting;
      try {
        assert.equal((await post(`${url}/v2/models/iris/infer`)).status, 200);
        assert.deepEqual(await client.call('ModelReady', { name: 'iris' }), { ready: true });
      } finally {
        await worker.drain();
      }
    } finally {
      client.close();
      if (!released) {
        held.release();
        await (await starting.catch(() => undefined))?.drain();
      }
    }
  });
});
