import { randomUUID } from 'node:crypto';
import type { Logger } from '../../observability/logger.js';
import { SwitchyardError } from '../../protocol/errors.js';
import { WorkerErrorCode } from '../errors.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { decodePredictRequest, encodePredictions } from '../server/predict-v1.js';
import { validateRequest } from '../server/validate.js';
import { FINISHED_STATES, type JobRecord, type JobStore } from './job-store.js';

/** Instances per chunk when the model does not batch (maxBatchSize 0 means one row per request). */
const UNBATCHED_CHUNK = 1;
/** How long a worker's claim on a job lasts without renewal, ms; renewed before every chunk. */
export const JOB_LEASE_MS = 30_000;

export interface JobManagerOptions {
  /** Names this process in job leases. */
  readonly owner?: string;
  readonly now?: () => Date;
  readonly leaseMs?: number;
}

/**
 * Runs batch jobs: a job's instances are cut into chunks of the model's maxBatchSize, and the
 * chunks go one at a time through the model's batcher at its lowest priority level, so online
 * requests queue ahead of them and wait at most for one chunk already running. One job runs at
 * a time per worker, in order of submission. After each chunk its predictions are stored, so a
 * job cut off by a restart resumes at the first chunk without results (with a shared store).
 */
export class JobManager {
  private queue: Promise<void> = Promise.resolve();
  private closing = false;
  /** The job running now, to give its lease up on close. */
  private current: string | undefined;
  private readonly retries = new Set<NodeJS.Timeout>();
  private readonly owner: string;
  private readonly now: () => Date;
  private readonly leaseMs: number;

  constructor(private readonly registry: ModelRegistry, readonly store: JobStore, private readonly log: Logger, options: JobManagerOptions = {}) {
    this.owner = options.owner ?? `${process.pid}-${randomUUID()}`;
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? JOB_LEASE_MS;
  }

  /**
   * Records the job and queues it; answers at once. Runs on `version`, else on the highest
   * ready version now. Throws 404 for an unknown model or version, 400 for no instances.
   */
  async submit(model: string, instances: readonly unknown[], version?: string): Promise<JobRecord> {
    const v = this.registry.resolve(model, version);
    if (v.state !== 'READY') throw new SwitchyardError(WorkerErrorCode.MODEL_NOT_READY, 503, `model '${model}' version ${v.version} is not ready; retry shortly`, { retryAfterSeconds: 1 });
    if (instances.length === 0) throw new SwitchyardError(WorkerErrorCode.INVALID_REQUEST, 400, 'a job needs at least one instance');
    const chunkSize = v.config.maxBatchSize > 0 ? v.config.maxBatchSize : UNBATCHED_CHUNK;
    const chunks: unknown[][] = [];
    for (let i = 0; i < instances.length; i += chunkSize) chunks.push(instances.slice(i, i + chunkSize));
    const at = this.now().toISOString();
    const job: JobRecord = {
      id: randomUUID(), model: v.model, version: v.version, created: at, updated: at, chunkSize,
      totalInstances: instances.length, totalChunks: chunks.length, state: 'queued', completedChunks: 0,
    };
    await this.store.create(job, chunks);
    this.enqueue(job.id);
    return job;
  }

  /** Stops a queued or running job after the chunk in flight; its finished chunks' results stay readable. */
  async cancel(id: string): Promise<JobRecord | undefined> {
    const job = await this.store.get(id);
    if (!job) return undefined;
    if (!FINISHED_STATES.has(job.state)) await this.store.setState(id, 'cancelled', this.now().toISOString());
    return this.store.get(id);
  }

  /** Queues the unfinished jobs in the store (after a restart), skipping those another worker holds. */
  async resume(): Promise<string[]> {
    const ids = await this.store.unfinished();
    for (const id of ids) this.enqueue(id);
    return ids;
  }

  /** Waits until every queued job has run (tests; batch clients use GET /v1/jobs/{id}). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Stops after the chunk in flight; unfinished jobs stay unfinished in the store, to be resumed. */
  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.retries) clearTimeout(t);
    const running = this.current;
    await this.queue;
    if (running !== undefined) await this.store.release(running, this.owner);
  }

  private enqueue(id: string): void {
    this.queue = this.queue.then(() => this.run(id)).catch((err: unknown) => {
      this.log.error({ job: id, err: (err as Error).message }, 'batch job stopped on a store error');
    });
  }

  private async run(id: string): Promise<void> {
    const job = await this.store.get(id);
    if (!job || FINISHED_STATES.has(job.state) || this.closing) return;
    if (!(await this.store.claim(id, this.owner, this.leaseMs))) {
      // Another worker holds it, or one that died did: look again once its lease would have expired.
      const retry = setTimeout(() => {
        this.retries.delete(retry);
        this.enqueue(id);
      }, this.leaseMs);
      retry.unref();
      this.retries.add(retry);
      return;
    }
    this.current = id;
    try {
      await this.runClaimed(job);
    } finally {
      if (!this.closing) this.current = undefined;
    }
  }

  private async runClaimed(job: JobRecord): Promise<void> {
    const { id } = job;
    const done = await this.store.completed(id);
    if (done.size > 0) this.log.info({ job: id, model: job.model, resumeAt: done.size, of: job.totalChunks }, 'resuming batch job');
    await this.store.setState(id, 'running', this.now().toISOString());
    for (let index = 0; index < job.totalChunks; index++) {
      if (done.has(index)) continue;
      if (this.closing) return;
      const current = await this.store.get(id);
      if (!current || current.state === 'cancelled') return;
      if (!(await this.store.claim(id, this.owner, this.leaseMs))) return;
      try {
        await this.store.saveResult(id, index, await this.runChunkPatiently(job, await this.store.chunk(id, index)));
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        await this.store.setState(id, 'failed', this.now().toISOString(), `chunk ${index} (instances ${index * job.chunkSize}..${Math.min(job.totalInstances, (index + 1) * job.chunkSize) - 1}): ${reason}`);
        return;
      }
    }
    const last = await this.store.get(id);
    if (last?.state === 'running') await this.store.setState(id, 'succeeded', this.now().toISOString());
  }

  /** A full queue (429) is online traffic taking precedence: wait as told and try again, never fail the job for it. */
  private async runChunkPatiently(job: JobRecord, instances: unknown[]): Promise<unknown[]> {
    for (;;) {
      try {
        return await this.runChunk(job, instances);
      } catch (err) {
        if (!(err instanceof SwitchyardError && err.code === WorkerErrorCode.QUEUE_FULL) || this.closing) throw err;
        await new Promise((resolve) => setTimeout(resolve, (err.retryAfterSeconds ?? 1) * 1000));
      }
    }
  }

  private async runChunk(job: JobRecord, instances: unknown[]): Promise<unknown[]> {
    const v = this.registry.resolve(job.model, job.version);
    if (v.state !== 'READY') throw new Error(`model '${job.model}' version ${job.version} is ${v.state.toLowerCase()}`);
    const decoded = decodePredictRequest({ instances }, v.signature);
    const valid = validateRequest(v.model, decoded, v.signature, v.config.maxBatchSize);
    // The lowest priority level: online requests are taken first when the model has several levels.
    const outputs = await v.runner.infer(valid.inputs, valid.outputs, { priority: v.config.dynamicBatching.priorityLevels });
    return encodePredictions(outputs, decoded.inputs[0]!.shape[0] ?? valid.rows);
  }
}
