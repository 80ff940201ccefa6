import { linearRegression } from 'simple-statistics';

/** Memory of one process at one moment, from its Prometheus /metrics. */
export interface MemorySample {
  /** Seconds since the start of the run. */
  readonly atS: number;
  readonly process: string;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

/**
 * RSS and used heap from prom-client's default metrics, whatever prefix the process gave them
 * (switchyard_worker_process_resident_memory_bytes, process_resident_memory_bytes, ...).
 * NaN for a figure the text does not have.
 */
export function parseMemory(metricsText: string): { rssBytes: number; heapUsedBytes: number } {
  const find = (suffix: string): number => {
    const re = new RegExp(`^[a-zA-Z0-9_:]*${suffix}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm');
    const match = re.exec(metricsText);
    return match ? Number(match[1]) : NaN;
  };
  return { rssBytes: find('process_resident_memory_bytes'), heapUsedBytes: find('nodejs_heap_size_used_bytes') };
}

export interface MemoryTrend {
  readonly process: string;
  /** Least-squares slope after warm-up, MiB per minute; NaN with fewer than 2 samples. */
  readonly rssMiBPerMin: number;
  readonly heapMiBPerMin: number;
  /** First and last RSS after warm-up, MiB. */
  readonly rssFirstMiB: number;
  readonly rssLastMiB: number;
  readonly samples: number;
}

const MiB = 2 ** 20;

function slopePerMinute(points: [number, number][]): number {
  if (points.length < 2) return NaN;
  return linearRegression(points).m * 60;
}

/** The growth trend of each process's memory from `warmupS` seconds on. */
export function memoryTrends(samples: readonly MemorySample[], warmupS: number): MemoryTrend[] {
  const names = [...new Set(samples.map((s) => s.process))].sort();
  return names.map((name) => {
    const mine = samples.filter((s) => s.process === name && s.atS >= warmupS);
    return {
      process: name,
      rssMiBPerMin: slopePerMinute(mine.filter((s) => Number.isFinite(s.rssBytes)).map((s) => [s.atS, s.rssBytes / MiB])),
      heapMiBPerMin: slopePerMinute(mine.filter((s) => Number.isFinite(s.heapUsedBytes)).map((s) => [s.atS, s.heapUsedBytes / MiB])),
      rssFirstMiB: (mine[0]?.rssBytes ?? NaN) / MiB,
      rssLastMiB: (mine[mine.length - 1]?.rssBytes ?? NaN) / MiB,
      samples: mine.length,
    };
  });
}

/** Scrapes each process's /metrics every `everyS` seconds until stopped. */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly targets: readonly { name: string; metricsUrl: string }[], private readonly startedAt = performance.now()) {}

  start(everyS: number): void {
    this.pending = this.sample();
    this.timer = setInterval(() => {
      this.pending = this.sample();
    }, everyS * 1000);
  }

  async sample(): Promise<void> {
    const atS = Math.round((performance.now() - this.startedAt) / 100) / 10;
    await Promise.all(this.targets.map(async (t) => {
      try {
        const text = await (await fetch(t.metricsUrl, { signal: AbortSignal.timeout(2000) })).text();
        this.samples.push({ atS, process: t.name, ...parseMemory(text) });
      } catch {
        // A missed scrape leaves a gap in the chart, not a failed run.
      }
    }));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pending;
    await this.sample();
  }
}
