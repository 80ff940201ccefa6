import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { deleteKeys, REDIS_URL, redisSkip } from '../../../helpers/redis.js';
import { postJson } from '../../../helpers/http.js';
import { demoRepository } from '../../../helpers/worker.js';
import { silentLogger } from '../../../../observability/logger.js';
import { createModelRunner } from '../../../../worker/batching/model-runner.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { MemoryJobStore, type JobRecord, type JobStore } from '../../../../worker/jobs/job-store.js';
import { RedisJobStore } from '../../../../worker/jobs/redis-job-store.js';
import { startWorker, type RunningWorker } from '../../../../worker/start-worker.js';

const PREFIX = `switchyard-test:${process.pid}:${randomUUID()}:`;

async function start(jobStore?: JobStore): Promise<RunningWorker & { url: string }> {
  const w = await startWorker({ modelsDir: await demoRepository(['fraud']), httpPort: 0, host: '127.0.0.1', log: silentLogger(), createRunner: createModelRunner, jobStore });
  return Object.assign(w, { url: `http://127.0.0.1:${w.httpPort}` });
}

interface JobView { id: string; state: string; version: string; progress: { instances: number; completedInstances: number; chunks: number; completedChunks: number }; predictions?: number[][]; error?: string }

async function getJob(url: string, id: string): Promise<JobView> {
  return (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as JobView;
}

/** A memory store that holds the first chunk's result until letGo(): the job is then certainly mid-run. */
class FirstResultHeld extends MemoryJobStore {
  letGo: () => void = () => undefined;
  private readonly released = new Promise<void>((resolve) => (this.letGo = resolve));
  private markReached: () => void = () => undefined;
  readonly reached = new Promise<void>((resolve) => (this.markReached = resolve));

  override async saveResult(id: string, index: number, predictions: readonly unknown[]): Promise<void> {
    if (index === 0) {
      this.markReached();
      await this.released;
    }
    return super.saveResult(id, index, predictions);
  }
}

describe('batch jobs', () => {
  it('accepts JSON instances at once, runs them in chunks of maxBatchSize and returns what :predict returns', async () => {
    const w = await start();
    try {
      const rows = generateTransactions(150, { seed: 3 });
      const submitted = await postJson(`${w.url}/v1/models/fraud/jobs`, { instances: rows });
      assert.equal(submitted.status, 202);
      const job = submitted.body as JobView;
      assert.equal(submitted.headers.get('location'), `/v1/jobs/${job.id}`);
      assert.deepEqual(job.progress, { instances: 150, completedInstances: 0, chunks: 3, completedChunks: 0 });
      await w.jobs.idle();
      const done = await getJob(w.url, job.id);
      assert.equal(done.state, 'succeeded');
      assert.deepEqual(done.progress, { instances: 150, completedInstances: 150, chunks: 3, completedChunks: 3 });
      // Online, 150 rows exceed fraud's maxBatchSize of 64: the same rows as three requests.
      const online: number[][] = [];
      for (const slice of [rows.slice(0, 64), rows.slice(64, 128), rows.slice(128)]) {
        online.push(...((await postJson(`${w.url}/v1/models/fraud:predict`, { instances: slice })).body as { predictions: number[][] }).predictions);
      }
      assert.deepEqual(done.predictions, online);
      const ndjson = await (await fetch(`${w.url}/v1/jobs/${job.id}/results`)).text();
      assert.deepEqual(ndjson.trimEnd().split('\n').map((l) => JSON.parse(l) as number[]), online);
    } finally {
      await w.drain();
    }
  });

  it('accepts NDJSON, one instance per line; reports a bad instance as the failed chunk', async () => {
    const w = await start();
    try {
      const rows = generateTransactions(3, { seed: 4 });
      const body = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
      const submitted = await postJson(`${w.url}/v1/models/fraud/jobs`, body, { 'content-type': 'application/x-ndjson' });
      assert.equal(submitted.status, 202);
      await w.jobs.idle();
      assert.equal((await getJob(w.url, (submitted.body as JobView).id)).predictions?.length, 3);

      const bad = await postJson(`${w.url}/v1/models/fraud/jobs`, { instances: [[1, 2, 3]] });
      await w.jobs.idle();
      const failed = await getJob(w.url, (bad.body as JobView).id);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error!, /^chunk 0 \(instances 0\.\.0\): input 'input': expected shape \[-1,30\]/);
      const missing = await fetch(`${w.url}/v1/jobs/nope`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { code: string }).code, 'JOB_NOT_FOUND');
    } finally {
      await w.drain();
    }
  });

  it('can be cancelled: it stops after the chunk in flight and keeps what it finished', async () => {
    // The first chunk's result is held until the cancel is in, so the job is cancelled mid-run
    // whatever the machine's speed (a fast worker used to finish all 40 chunks first).
    const store = new FirstResultHeld();
    const w = await start(store);
    try {
      const rows = generateTransactions(64 * 40, { seed: 5 });
      const job = (await postJson(`${w.url}/v1/models/fraud/jobs`, { instances: rows })).body as JobView;
      await store.reached;
      const cancelled = (await (await fetch(`${w.url}/v1/jobs/${job.id}`, { method: 'DELETE' })).json()) as JobView;
      assert.equal(cancelled.state, 'cancelled');
      store.letGo();
      await w.jobs.idle();
      const after = await getJob(w.url, job.id);
      assert.equal(after.state, 'cancelled');
      assert.equal(after.progress.completedChunks, 1, 'the chunk in flight finishes and is kept; no other runs');
      assert.equal(after.predictions, undefined);
    } finally {
      await w.drain();
    }
  });
});

const redisSkipped = await redisSkip();

describe('batch jobs with Redis', { skip: redisSkipped }, () => {
  after(() => deleteKeys(PREFIX));

  it('a worker that starts resumes an unfinished job at its first chunk without results', async () => {
    // What a worker that died after its first chunk leaves behind: state running, chunk 0 stored, no lease.
    const store = new RedisJobStore(REDIS_URL, PREFIX);
    const rows = generateTransactions(130, { seed: 6 });
    const chunks = [rows.slice(0, 64), rows.slice(64, 128), rows.slice(128)];
    const at = '2026-11-24T00:00:00.000Z';
    const job: JobRecord = { id: randomUUID(), model: 'fraud', version: '2', created: at, updated: at, chunkSize: 64, totalInstances: 130, totalChunks: 3, state: 'running', completedChunks: 0 };
    await store.create(job, chunks);
    const marker = Array.from({ length: 64 }, () => [-1, -1]);
    await store.saveResult(job.id, 0, marker);

    const w = await start(new RedisJobStore(REDIS_URL, PREFIX));
    try {
      await w.jobs.idle();
      const done = await getJob(w.url, job.id);
      assert.equal(done.state, 'succeeded');
      assert.deepEqual(done.progress, { instances: 130, completedInstances: 130, chunks: 3, completedChunks: 3 });
      assert.deepEqual(done.predictions!.slice(0, 64), marker, 'chunk 0 was not run again');
      const online: number[][] = [];
      for (const slice of [chunks[1]!, chunks[2]!]) online.push(...((await postJson(`${w.url}/v1/models/fraud:predict`, { instances: slice })).body as { predictions: number[][] }).predictions);
      assert.deepEqual(done.predictions!.slice(64), online);
      assert.deepEqual(await store.unfinished(), []);
    } finally {
      await w.drain();
      await store.close();
    }
  });
});
