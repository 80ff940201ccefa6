import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { failure, inferenceClient, startGrpcTestWorker, type GrpcTestWorker, type PromiseClient } from '../grpc/grpc-worker.js';

const RULE = "1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit, without '..'";

/**
 * PARENT/repo holds iris and a folder whose name breaks the rule; PARENT/evil is a servable model
 * beside the repository, what a traversal would reach.
 */
async function repositoryWithANeighbour(): Promise<{ repo: string; parent: string }> {
  const source = await demoModelsDir();
  const parent = await mkdtemp(join(tmpdir(), 'switchyard-names-'));
  const repo = join(parent, 'repo');
  await mkdir(repo);
  await cp(join(source, 'iris'), join(repo, 'iris'), { recursive: true, dereference: true });
  await cp(join(source, 'iris'), join(repo, 'has space'), { recursive: true, dereference: true });
  await cp(join(source, 'iris'), join(parent, 'evil'), { recursive: true, dereference: true });
  return { repo, parent };
}

describe('worker: model names and repository paths', () => {
  let w: GrpcTestWorker;
  let client: PromiseClient;
  before(async () => {
    const { repo } = await repositoryWithANeighbour();
    w = await startGrpcTestWorker({ dir: repo });
    client = inferenceClient(w.address);
  });
  after(async () => {
    client.close();
    await w.drain();
  });

  for (const [encoded, name, action] of [
    ['..%2Fevil', '../evil', 'load'],
    ['iris%2F..%2F..%2Fevil', 'iris/../../evil', 'load'],
    ['iris%2F..%2Firis', 'iris/../iris', 'load'],
    ['.hidden', '.hidden', 'load'],
    ['..%2Fevil', '../evil', 'unload'],
  ] as const) {
    it(`refuses POST /v2/repository/models/${encoded}/${action} with 400 INVALID_MODEL_NAME`, async () => {
      const r = await postJson(`${w.url}/v2/repository/models/${encoded}/${action}`, {});
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, {
        code: 'INVALID_MODEL_NAME',
        error: `the model name in /v2/repository/models/{name}/${action}: expected a model name (${RULE}), received ${JSON.stringify(name)}`,
      });
    });
  }

  it('loads nothing from outside the repository: REST and gRPC find no such model', async () => {
    assert.deepEqual(w.registry.modelNames(), ['iris']);
    const ready = await getJson(`${w.url}/v2/models/..%2Fevil/ready`);
    assert.equal(ready.status, 404);
    assert.equal((ready.body as { code: string }).code, 'MODEL_NOT_FOUND');
    for (const name of ['../evil', 'iris/../iris']) {
      const details = `model '${name}' is not served here; models served here: iris`;
      assert.deepEqual(await failure(client.call('ModelReady', { name })), { code: Status.NOT_FOUND, details, switchyardCode: 'MODEL_NOT_FOUND' });
      const infer = { model_name: name, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [5.1, 3.5, 1.4, 0.2] } }] };
      assert.deepEqual(await failure(client.call('ModelInfer', infer)), { code: Status.NOT_FOUND, details, switchyardCode: 'MODEL_NOT_FOUND' });
    }
  });

  it('skips a repository folder whose name breaks the rule: not loaded, not indexed, the worker ready', async () => {
    assert.ok((await readdir(w.registry.repository!)).includes('has space'));
    const index = await postJson(`${w.url}/v2/repository/index`, {});
    assert.deepEqual((index.body as { name: string }[]).map((r) => r.name), ['iris']);
    assert.equal((await getJson(`${w.url}/v2/health/ready`)).status, 200);
  });

  it('still loads a valid name', async () => {
    const r = await postJson(`${w.url}/v2/repository/models/iris/load`, {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });
});
