import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { postJson } from '../../../helpers/http.js';
import { silentLogger } from '../../../../observability/logger.js';
import { createModelRunner } from '../../../../worker/batching/model-runner.js';
import { registerVersion } from '../../../../worker/repository/register.js';
import { MODEL_SHA256_HEADER, MODEL_VERSION_HEADER } from '../../../../worker/server/http-server.js';
import { startWorker, type RunningWorker } from '../../../../worker/start-worker.js';

/** A writable repository with copies (not links) of some demo models. */
async function copiedRepository(models: readonly string[]): Promise<string> {
  const source = await demoModelsDir();
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-live-repo-'));
  for (const m of models) await cp(join(source, m), join(dir, m), { recursive: true, dereference: true });
  return dir;
}

async function start(repo: string, modelControl: 'explicit' | 'poll' | 'none' = 'explicit'): Promise<RunningWorker & { url: string }> {
  const w = await startWorker({ modelsDir: repo, httpPort: 0, host: '127.0.0.1', log: silentLogger(), createRunner: createModelRunner, modelControl, repositoryPollSeconds: 3600 });
  return Object.assign(w, { url: `http://127.0.0.1:${w.httpPort}` });
}

const ROW = [100, ...Array.from({ length: 28 }, (_, i) => (i % 5) - 2), 42.5];
const fraudRequest = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: ROW }] };

interface IndexRow { name: string; version: string; state: string; reason: string; sha256?: string }

/** Sends fraud requests from `clients` loops until stopped; counts answers by status. */
function steadyLoad(url: string, clients: number): { stop: () => Promise<Map<number, number>>; sent: () => number } {
  let running = true;
  let sent = 0;
  const statuses = new Map<number, number>();
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const r = await postJson(`${url}/v2/models/fraud/infer`, fraudRequest);
      sent++;
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
  });
  return {
    sent: () => sent,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return statuses;
    },
  };
}

describe('repository API', () => {
  it('indexes versions with their state and sha256; answers carry the version and sha256 that served them', async () => {
    const repo = await copiedRepository(['fraud']);
    const w = await start(repo);
    try {
      const index = await postJson(`${w.url}/v2/repository/index`, {});
      assert.equal(index.status, 200);
      const rows = index.body as IndexRow[];
      assert.deepEqual(rows.map((r) => [r.name, r.version, r.state]), [['fraud', '1', 'READY'], ['fraud', '2', 'READY']]);
      const v2 = w.registry.resolve('fraud', '2');
      assert.equal(rows[1]!.sha256, v2.manifest!.sha256);
      const answer = await postJson(`${w.url}/v2/models/fraud/infer`, fraudRequest);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get(MODEL_VERSION_HEADER), '2');
      assert.equal(answer.headers.get(MODEL_SHA256_HEADER), v2.manifest!.sha256);
    } finally {
      await w.drain();
    }
  });

  it('loads a newly registered version under load (warm before ready, the oldest unloaded by the policy) with no failed request', async () => {
    const repo = await copiedRepository(['fraud']);
    const w = await start(repo);
    const load = steadyLoad(w.url, 4);
    try {
      await registerVersion({ repo, name: 'fraud', file: join(repo, 'fraud', '1', 'model.onnx'), notes: 'v1 again as v3' });
      const before = load.sent();
      const loaded = await postJson(`${w.url}/v2/repository/models/fraud/load`, {});
      assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
      assert.deepEqual((loaded.body as { versions: IndexRow[] }).versions.map((r) => [r.version, r.state]), [['1', 'UNAVAILABLE'], ['2', 'READY'], ['3', 'READY']]);
      assert.equal(w.registry.resolve('fraud').version, '3');
      while (load.sent() < before + 50) await new Promise((r) => setImmediate(r));
    } finally {
      const statuses = await load.stop();
      await w.drain();
      assert.deepEqual([...statuses.keys()], [200], `every request succeeded: ${JSON.stringify([...statuses])}`);
    }
  });

  it('unload waits for the in-flight requests of the model; none of them fails', async () => {
    const repo = await copiedRepository(['fraud', 'iris']);
    const w = await start(repo);
    try {
      const inFlight = Array.from({ length: 40 }, () => postJson(`${w.url}/v2/models/fraud/infer`, fraudRequest));
      await new Promise((r) => setImmediate(r));
      const unloaded = await postJson(`${w.url}/v2/repository/models/fraud/unload`, {});
      assert.equal(unloaded.status, 200);
      assert.deepEqual((await Promise.all(inFlight)).map((r) => r.status), Array(40).fill(200));
      const after = await postJson(`${w.url}/v2/models/fraud/infer`, fraudRequest);
      assert.equal(after.status, 404);
      assert.equal((after.body as { code: string }).code, 'MODEL_NOT_FOUND');
      assert.equal((await fetch(`${w.url}/v2/health/ready`)).status, 200, 'the worker stays ready: iris is still served');
      const index = (await postJson(`${w.url}/v2/repository/index`, {})).body as IndexRow[];
      assert.deepEqual(index.filter((r) => r.name === 'fraud').map((r) => [r.version, r.state, r.reason]), [['1', 'UNAVAILABLE', 'unloaded'], ['2', 'UNAVAILABLE', 'unloaded']]);
      const ready = (await postJson(`${w.url}/v2/repository/index`, { ready: true })).body as IndexRow[];
      assert.deepEqual(ready.map((r) => r.name), ['iris']);
      assert.equal((await postJson(`${w.url}/v2/repository/models/fraud/load`, {})).status, 200);
      assert.equal((await postJson(`${w.url}/v2/models/fraud/infer`, fraudRequest)).status, 200);
    } finally {
      await w.drain();
    }
  });

  it('refuses to load a version whose model.onnx does not match its manifest, and keeps serving the others', async () => {
    const repo = await copiedRepository(['fraud']);
    const w = await start(repo);
    try {
      await registerVersion({ repo, name: 'fraud', file: join(repo, 'fraud', '1', 'model.onnx') });
      await appendFile(join(repo, 'fraud', '3', 'model.onnx'), Buffer.from([1, 2, 3]));
      const refused = await postJson(`${w.url}/v2/repository/models/fraud/load`, {});
      assert.equal(refused.status, 400);
      const body = refused.body as { error: string; code: string };
      assert.equal(body.code, 'MANIFEST_MISMATCH');
      assert.match(body.error, /^fraud\/3: model\.onnx has sha256 [0-9a-f]{64} but its manifest\.json says [0-9a-f]{64}; the file changed after it was registered\./);
      assert.deepEqual(w.registry.versionNames('fraud'), ['1', '2']);
      assert.equal((await postJson(`${w.url}/v2/models/fraud/infer`, fraudRequest)).status, 200);
      const index = (await postJson(`${w.url}/v2/repository/index`, {})).body as IndexRow[];
      assert.equal(index.find((r) => r.version === '3')!.state, 'UNAVAILABLE');
      assert.match(index.find((r) => r.version === '3')!.reason, /MANIFEST|manifest/);
    } finally {
      await w.drain();
    }
  });

  it('in poll mode picks up a newly registered version on the next poll', async () => {
    const repo = await copiedRepository(['iris']);
    const w = await start(repo, 'poll');
    try {
      await registerVersion({ repo, name: 'iris', file: join(repo, 'iris', '1', 'model.onnx') });
      await w.poller!.pollOnce();
      assert.deepEqual(w.registry.all().map((v) => [v.version, v.state]), [['1', 'READY'], ['2', 'READY']]);
    } finally {
      await w.drain();
    }
  });

  it('with --model-control none refuses load and unload with 403', async () => {
    const repo = await copiedRepository(['iris']);
    const w = await start(repo, 'none');
    try {
      const r = await postJson(`${w.url}/v2/repository/models/iris/unload`, {});
      assert.equal(r.status, 403);
      assert.equal((r.body as { error: string }).error, 'model unload is disabled: the worker runs with --model-control none; start it with explicit or poll');
    } finally {
      await w.drain();
    }
  });
});
