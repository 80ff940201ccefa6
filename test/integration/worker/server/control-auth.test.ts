import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../../observability/logger.js';
import { createModelRunner } from '../../../../worker/batching/model-runner.js';
import { WORKER_TOKEN_ENV } from '../../../../worker/server/control-auth.js';
import { startWorker, type RunningWorker } from '../../../../worker/start-worker.js';
import { getJson, postJson } from '../../../helpers/http.js';
import { CLI_PATH } from '../../../helpers/process.js';
import { demoRepository } from '../../../helpers/worker.js';

const TOKEN = 'control-plane-test-token';
const UNAUTHORIZED = {
  code: 'UNAUTHORIZED',
  error: `missing or wrong token: loading, unloading and cancelling jobs need Authorization: Bearer <${WORKER_TOKEN_ENV}>`,
};
const IRIS = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] };
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('worker control plane: a bearer token for load, unload and job cancel', () => {
  let w: RunningWorker;
  let url: string;
  before(async () => {
    w = await startWorker({ modelsDir: await demoRepository(['iris']), httpPort: 0, host: '127.0.0.1', controlToken: TOKEN, log: silentLogger(), createRunner: createModelRunner });
    url = `http://127.0.0.1:${w.httpPort}`;
  });
  after(() => w.drain());

  for (const action of ['load', 'unload'] as const) {
    it(`${action}: 401 without a token and with a wrong one; nothing changes`, async () => {
      const none = await postJson(`${url}/v2/repository/models/iris/${action}`, {});
      assert.equal(none.status, 401);
      assert.deepEqual(none.body, UNAUTHORIZED);
      const wrong = await postJson(`${url}/v2/repository/models/iris/${action}`, {}, bearer('not-the-token'));
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.body, UNAUTHORIZED);
      const basic = await postJson(`${url}/v2/repository/models/iris/${action}`, {}, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` });
      assert.equal(basic.status, 401);
      assert.deepEqual(w.registry.modelNames(), ['iris']);
      assert.equal(w.registry.resolve('iris').state, 'READY');
    });
  }

  it('unload and load succeed with the token', async () => {
    const unloaded = await postJson(`${url}/v2/repository/models/iris/unload`, {}, bearer(TOKEN));
    assert.equal(unloaded.status, 200, JSON.stringify(unloaded.body));
    assert.deepEqual(w.registry.modelNames(), []);
    const loaded = await postJson(`${url}/v2/repository/models/iris/load`, {}, bearer(TOKEN));
    assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
    assert.equal(w.registry.resolve('iris').state, 'READY');
  });

  it('cancelling a batch job needs the token; submitting and reading it do not', async () => {
    const submitted = await postJson(`${url}/v1/models/iris/jobs`, { instances: [[5.1, 3.5, 1.4, 0.2]] });
    assert.equal(submitted.status, 202);
    const id = (submitted.body as { id: string }).id;
    assert.equal((await getJson(`${url}/v1/jobs/${id}`)).status, 200);
    const refused = await fetch(`${url}/v1/jobs/${id}`, { method: 'DELETE' });
    assert.equal(refused.status, 401);
    assert.deepEqual(await refused.json(), UNAUTHORIZED);
    const cancelled = await fetch(`${url}/v1/jobs/${id}`, { method: 'DELETE', headers: bearer(TOKEN) });
    assert.equal(cancelled.status, 200);
  });

  it('keeps inference, health, metadata and the repository index open', async () => {
    assert.equal((await postJson(`${url}/v2/models/iris/infer`, IRIS)).status, 200);
    assert.equal((await getJson(`${url}/v2/health/live`)).status, 200);
    assert.equal((await getJson(`${url}/v2/health/ready`)).status, 200);
    assert.equal((await getJson(`${url}/v2/models/iris`)).status, 200);
    assert.equal((await postJson(`${url}/v2/repository/index`, {})).status, 200);
  });
});

describe('worker start off loopback', () => {
  const refusal = (host: string): string => `the worker listens on ${host}, which is not loopback, and ${WORKER_TOKEN_ENV} is not set, so anyone who reaches it ` +
    `could load and unload models; set ${WORKER_TOKEN_ENV} to a secret bearer token, or pass --host 127.0.0.1`;
  const withoutToken = (): NodeJS.ProcessEnv => {
    const env = { ...process.env };
    delete env[WORKER_TOKEN_ENV];
    return env;
  };

  it('is refused without a token, before anything listens', async () => {
    const previous = process.env[WORKER_TOKEN_ENV];
    delete process.env[WORKER_TOKEN_ENV];
    try {
      await assert.rejects(
        startWorker({ modelsDir: await demoRepository(['iris']), httpPort: 0, host: '0.0.0.0', log: silentLogger(), createRunner: createModelRunner }),
        { message: refusal('0.0.0.0') },
      );
    } finally {
      if (previous !== undefined) process.env[WORKER_TOKEN_ENV] = previous;
    }
  });

  it('is refused by `switchyard worker` on the default host (0.0.0.0) without a token: exit 1, one line', async () => {
    const r = spawnSync(process.execPath, [CLI_PATH, 'worker', '--models', await demoRepository(['iris']), '--http-port', '0'], { env: withoutToken(), encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `switchyard worker: ${refusal('0.0.0.0')}\n`);
  });

  it('starts off loopback with a token, and the token is then required', async () => {
    const w = await startWorker({ modelsDir: await demoRepository(['iris']), httpPort: 0, host: '0.0.0.0', controlToken: TOKEN, log: silentLogger(), createRunner: createModelRunner });
    try {
      const url = `http://127.0.0.1:${w.httpPort}`;
      assert.equal((await postJson(`${url}/v2/repository/models/iris/unload`, {})).status, 401);
      assert.equal((await postJson(`${url}/v2/repository/models/iris/load`, {}, bearer(TOKEN))).status, 200);
    } finally {
      await w.drain();
    }
  });
});
