import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { startTestWorker } from '../../../helpers/worker.js';

type Worker = Awaited<ReturnType<typeof startTestWorker>>;

const instances = { instances: generateTransactions(2, { seed: 8 }) };

describe('the worker\'s KServe v1 model calls', () => {
  let w: Worker;
  before(async () => {
    w = await startTestWorker(['fraud']);
  });
  after(async () => {
    await w.drain();
  });

  it('serves :predict at the version the path names, and the latest without one', async () => {
    const v1 = await postJson(`${w.url}/v1/models/fraud/versions/1:predict`, instances);
    assert.equal(v1.status, 200);
    assert.equal((v1.body as { model_version: string }).model_version, '1');
    assert.equal(v1.headers.get('x-switchyard-model-version'), '1');
    const latest = await postJson(`${w.url}/v1/models/fraud:predict`, instances);
    assert.equal((latest.body as { model_version: string }).model_version, '2');
    assert.notDeepEqual((v1.body as { predictions: unknown }).predictions, (latest.body as { predictions: unknown }).predictions);
  });

  it('answers GET /v1/models/{m}[/versions/{v}] with {name, ready}, and 404 for a version it does not have', async () => {
    const ready = await getJson(`${w.url}/v1/models/fraud`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { name: 'fraud', ready: true });
    assert.deepEqual((await getJson(`${w.url}/v1/models/fraud/versions/1`)).body, { name: 'fraud', ready: true });
    const missing = await getJson(`${w.url}/v1/models/fraud/versions/9`);
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { code: string }).code, 'VERSION_NOT_FOUND');
    const post = await postJson(`${w.url}/v1/models/fraud`, {});
    assert.equal(post.status, 405);
  });
});
