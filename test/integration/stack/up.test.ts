import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateTransactions } from '../../../worker/demo-models/build.js';
import { demoModelsDir } from '../../helpers/demo-models.js';
import { spawnCli } from '../../helpers/process.js';
import { repoRoot } from '../../helpers/repo-root.js';
import type { ModelInferResponseMessage } from '../../../protocol/grpc/messages.js';
import { GatewayClient } from '../gateway/grpc/grpc-client.js';

/** The demo config with free ports and the cached demo models, as `npm start` would run it. */
async function demoConfig(): Promise<string> {
  const text = await readFile(join(repoRoot(), 'config', 'switchyard.yaml'), 'utf8');
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-up-'));
  const path = join(dir, 'switchyard.yaml');
  const patched = text
    .replace(/port: \d+/g, 'port: 0')
    .replace(/models: [^,}\s]+/, `models: ${await demoModelsDir()}`);
  await writeFile(path, patched);
  return path;
}

function inferIris(gateway: string, row: number[]): Promise<Response> {
  return fetch(`${gateway}/v2/models/iris/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: row }] }),
  });
}

describe('switchyard up (the embedded stack)', () => {
  it('starts the worker pool and the gateway, routes inference, splits the canary, restarts a dead worker, stops on SIGINT', { timeout: 120_000 }, async () => {
    const cli = spawnCli(['up', '-c', await demoConfig()]);
    try {
      const listening = await cli.waitForLine((l) => l.event === 'listening' && typeof l.adminPort === 'number');
      const gateway = `http://127.0.0.1:${listening.httpPort as number}`;

      const iris = await inferIris(gateway, [5.1, 3.5, 1.4, 0.2]);
      assert.equal(iris.status, 200);
      assert.equal(iris.headers.get('x-switchyard-backend'), 'iris-v1');
      assert.equal(iris.headers.get('x-switchyard-version'), '1');
      const answer = (await iris.json()) as { model_name: string; outputs: { data: number[] }[] };
      assert.equal(answer.model_name, 'iris');
      const probs = answer.outputs[0]!.data;
      assert.equal(probs.indexOf(Math.max(...probs)), 0, 'setosa');

      // The gateway's gRPC listener reaches the pool's workers on their gRPC ports.
      const grpc = new GatewayClient(`127.0.0.1:${listening.grpcPort as number}`);
      try {
        const viaGrpc = await grpc.ok<ModelInferResponseMessage>('ModelInfer', { model_name: 'iris', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [5.1, 3.5, 1.4, 0.2] } }] });
        assert.equal(viaGrpc.metadata['x-switchyard-backend'], 'iris-v1');
        assert.deepEqual(viaGrpc.response.outputs![0]!.contents!.fp32_contents, probs);
      } finally {
        grpc.close();
      }

      const rows = generateTransactions(400, { seed: 3 });
      const versions = await Promise.all(rows.map(async (row) => {
        const res = await fetch(`${gateway}/v2/models/fraud/infer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: row }] }),
        });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { model_version: string };
        const header = res.headers.get('x-switchyard-version');
        assert.equal(body.model_version, header, 'the version header names the version that answered');
        assert.equal(res.headers.get('x-switchyard-backend'), `fraud-v${header}`);
        return header;
      }));
      const canary = versions.filter((v) => v === '2').length;
      assert.equal(versions.filter((v) => v === '1').length + canary, 400);
      // Weight 20 of 400 random requests: mean 80, sd 8; 48..112 is four standard deviations.
      assert.ok(canary >= 48 && canary <= 112, `canary answered ${canary} of 400`);

      // A worker that dies is restarted on the same port, and traffic flows again.
      const worker = await cli.waitForLine((l) => l.event === 'listening' && typeof l.grpcPort === 'number');
      assert.equal(worker.maxSemiSpaceMb, 64, 'up starts its workers with WORKER_NODE_FLAGS');
      process.kill(worker.pid as number, 'SIGKILL');
      await cli.waitForLine((l) => l.msg === 'worker restarted');
      const again = await inferIris(gateway, [6.7, 3.0, 5.2, 2.3]);
      assert.equal(again.status, 200);
      assert.equal(again.headers.get('x-switchyard-backend'), 'iris-v1');
    } finally {
      cli.child.kill('SIGINT');
    }
    assert.equal(await cli.exited, 0);
  });
});
