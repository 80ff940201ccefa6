import { summarise, type LatencySummary } from './percentiles.js';

/** One answered (or failed) request. */
export interface Sample {
  /** When it was due (open loop) or sent (closed loop), ms since the start of the run. */
  readonly atMs: number;
  readonly latencyMs: number;
  /** HTTP status, or 0 when no answer came (connection error, timeout). */
  readonly status: number;
  /** x-switchyard-version of the answer, '' when absent. */
  readonly version: string;
  /** Why no answer came (status 0): the client's timeout, or a connection error (default). */
  readonly failure?: 'timeout' | 'conn';
}

/** One second of the run, for the progress line and the chart. */
export interface SecondStats {
  readonly second: number;
  readonly requests: number;
  readonly errors: number;
  /** Milliseconds; NaN in a second with no answer. */
  readonly p50: number;
  readonly p99: number;
}

export interface RunSummary {
  readonly requests: number;
  readonly seconds: number;
  readonly throughput: number;
  /** Every answer, successful or not, ms. */
  readonly latency: LatencySummary;
  /** Non-2xx answers by status; "timeout" or "conn" when no answer came. */
  readonly errors: Record<string, number>;
  /** Share of the 2xx answers by x-switchyard-version (0..1); "none" when the header was absent. */
  readonly versions: Record<string, number>;
}

const isOk = (status: number) => status >= 200 && status < 300;

/** Collects samples as they come; summarises the whole run or one second of it. */
export class Recorder {
  readonly samples: Sample[] = [];

  add(sample: Sample): void {
    this.samples.push(sample);
  }

  /** Per-second figures, by the second each answer arrived (atMs + latencyMs). */
  timeline(): SecondStats[] {
    const buckets: number[][] = [];
    const errors: number[] = [];
    for (const s of this.samples) {
      const second = Math.floor((s.atMs + s.latencyMs) / 1000);
      (buckets[second] ??= []).push(s.latencyMs);
      if (!isOk(s.status)) errors[second] = (errors[second] ?? 0) + 1;
    }
    return Array.from({ length: buckets.length }, (_, second) => {
      const latencies = buckets[second] ?? [];
      const summary = summarise(latencies);
      return { second, requests: latencies.length, errors: errors[second] ?? 0, p50: summary.p50, p99: summary.p99 };
    });
  }

  summary(seconds: number): RunSummary {
    const errors: Record<string, number> = {};
    const versionCounts: Record<string, number> = {};
    let ok = 0;
    for (const s of this.samples) {
      if (isOk(s.status)) {
        ok++;
        const v = s.version || 'none';
        versionCounts[v] = (versionCounts[v] ?? 0) + 1;
      } else {
        const key = s.status === 0 ? (s.failure ?? 'conn') : String(s.status);
        errors[key] = (errors[key] ?? 0) + 1;
      }
    }
    const versions = Object.fromEntries(Object.entries(versionCounts).sort(([a], [b]) => a.localeCompare(b)).map(([v, n]) => [v, n / ok]));
    return {
      requests: this.samples.length,
      seconds,
      throughput: seconds > 0 ? this.samples.length / seconds : 0,
      latency: summarise(this.samples.map((s) => s.latencyMs)),
      errors,
      versions,
    };
  }
}
