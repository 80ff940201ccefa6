import autocannon from 'autocannon';
import { summarise, type LatencySummary } from './percentiles.js';
import type { Sample } from './recorder.js';

export interface ClosedLoopOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  /** Request bodies, sent in turn by every connection. */
  readonly bodies?: readonly Buffer[];
  /** Per-request extra headers, sent in turn (instead of bodies), e.g. a different user id each. */
  readonly headerSets?: readonly Record<string, string>[];
  readonly connections: number;
  readonly durationSeconds: number;
  /** Discarded run before the measured one, in seconds (0 = none). */
  readonly warmupSeconds?: number;
  /** Every answer of the measured run (not the warm-up), with its x-switchyard-version. */
  readonly onSample?: (sample: Sample) => void;
  /** Caps all connections together at this many requests per second (a paced load, not a closed loop). */
  readonly overallRate?: number;
}

export interface ClosedLoopResult {
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Milliseconds. */
  readonly latency: LatencySummary;
  /** Non-2xx answers by status, and connection errors as "conn". */
  readonly errors: Record<string, number>;
}

function once(options: ClosedLoopOptions, seconds: number, onSample?: (sample: Sample) => void): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const method = options.method ?? 'POST';
  // autocannon hands a response's headers to onResponse and, synchronously after it on the
  // same client, emits 'response' with the latency: the version seen last is this answer's.
  let lastVersion = '';
  const onResponse = onSample
    ? (_status: number, _body: string, _context: object, headers: Record<string, string | string[] | undefined> | undefined) => {
        const found = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'x-switchyard-version')?.[1];
        lastVersion = typeof found === 'string' ? found : '';
      }
    : undefined;
  const withHook = onResponse ? { onResponse } : {};
  const requests = options.headerSets !== undefined
    ? options.headerSets.map((extra) => ({ method, headers: { ...options.headers, ...extra }, ...withHook }))
    : (options.bodies ?? [undefined]).map((body) => ({ method, body, headers: options.headers, ...withHook }));
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const startedMs = performance.now();
    const instance = autocannon(
      { url: options.url, connections: options.connections, duration: seconds, requests, headers: options.headers, ...(options.overallRate ? { overallRate: options.overallRate } : {}) },
      (err) => {
        if (err) return reject(err);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({
          connections: options.connections,
          seconds: elapsed,
          requests: latencies.length,
          requestsPerSecond: latencies.length / elapsed,
          latency: summarise(latencies),
          errors,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else errors[String(status)] = (errors[String(status)] ?? 0) + 1;
      onSample?.({ atMs: performance.now() - startedMs - ms, latencyMs: ms, status, version: lastVersion });
      lastVersion = '';
    });
    instance.on('reqError', () => {
      errors.conn = (errors.conn ?? 0) + 1;
      onSample?.({ atMs: performance.now() - startedMs, latencyMs: 0, status: 0, version: '' });
    });
  });
}

/** Closed-loop load: `connections` clients each send the next request when the last returns. */
export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  if (options.warmupSeconds) await once(options, options.warmupSeconds);
  return once(options, options.durationSeconds, options.onSample);
}
