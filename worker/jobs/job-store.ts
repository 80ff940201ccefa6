/** A batch job's lifecycle: queued → running → succeeded | failed | cancelled. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const FINISHED_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

/** What a job is; the static part is written once at submit. */
export interface JobRecord {
  readonly id: string;
  readonly model: string;
  /** The version every chunk runs on: the highest ready one at submit, so results are consistent. */
  readonly version: string;
  /** ISO 8601 time of submission. */
  readonly created: string;
  /** Instances per chunk: each chunk is one request to the model's batcher. */
  readonly chunkSize: number;
  readonly totalInstances: number;
  readonly totalChunks: number;
  state: JobState;
  /** Chunks whose predictions are stored. */
  completedChunks: number;
  /** ISO 8601 time of the last change. */
  updated: string;
  /** Why the job failed. */
  error?: string;
}

/**
 * Where jobs, their input chunks and their results live. The memory store serves one worker
 * process; the Redis store lets a restarted worker (or another replica) resume a job from its
 * last finished chunk and any replica answer GET /v1/jobs/{id}.
 */
export interface JobStore {
  create(job: JobRecord, chunks: readonly (readonly unknown[])[]): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /** The instances of one chunk. */
  chunk(id: string, index: number): Promise<unknown[]>;
  /** Stores a chunk's predictions and counts the chunk as completed, atomically. */
  saveResult(id: string, index: number, predictions: readonly unknown[]): Promise<void>;
  /** Indexes of the chunks whose results are stored. */
  completed(id: string): Promise<Set<number>>;
  /** Every stored prediction, in instance order. */
  results(id: string): Promise<unknown[]>;
  setState(id: string, state: JobState, updated: string, error?: string): Promise<void>;
  /** Ids of jobs queued or running (to resume after a restart). */
  unfinished(): Promise<string[]>;
  /** Takes or renews the right to run a job for `ttlMs`; false when another owner holds it. */
  claim(id: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (a draining worker), so a restarted one resumes at once. */
  release(id: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

/** The in-memory twin: one process, nothing survives a restart. */
export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, { record: JobRecord; chunks: unknown[][]; results: Map<number, unknown[]> }>();

  async create(job: JobRecord, chunks: readonly (readonly unknown[])[]): Promise<void> {
    this.jobs.set(job.id, { record: { ...job }, chunks: chunks.map((c) => [...c]), results: new Map() });
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    return job && { ...job.record };
  }

  async chunk(id: string, index: number): Promise<unknown[]> {
    return this.jobs.get(id)?.chunks[index] ?? [];
  }

  async saveResult(id: string, index: number, predictions: readonly unknown[]): Promise<void> {
    const job = this.jobs.get(id);
    if (!job || job.results.has(index)) return;
    job.results.set(index, [...predictions]);
    job.record.completedChunks = job.results.size;
  }

  async completed(id: string): Promise<Set<number>> {
    return new Set(this.jobs.get(id)?.results.keys() ?? []);
  }

  async results(id: string): Promise<unknown[]> {
    const job = this.jobs.get(id);
    if (!job) return [];
    return [...job.results.entries()].sort(([a], [b]) => a - b).flatMap(([, r]) => r);
  }

  async setState(id: string, state: JobState, updated: string, error?: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) return;
    job.record.state = state;
    job.record.updated = updated;
    if (error !== undefined) job.record.error = error;
  }

  async unfinished(): Promise<string[]> {
    return [...this.jobs.values()].filter((j) => !FINISHED_STATES.has(j.record.state)).map((j) => j.record.id);
  }

  async claim(): Promise<boolean> {
    return true;
  }

  async release(): Promise<void> {}

  async close(): Promise<void> {}
}
