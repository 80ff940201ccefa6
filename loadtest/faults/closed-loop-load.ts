import { Pool } from 'undici';

/** One request of a run: when it was sent (ms since the run started), how long it took, how it ended. */
export interface LoadSample {
  readonly at: number;
  readonly ms: number;
  /** The HTTP status, or 0 when the request failed without one (a connection error). */
  readonly status: number;
  /** A failed answer's error code and message (its JSON body), for the report. */
  readonly error?: string;
}

/** Iris rows the load cycles through. */
const ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3], [5.8, 2.7, 5.1, 1.9]];
const BODIES = ROWS.map((row) => JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: row }] }));

/**
 * Closed-loop iris inference through a gateway: `clients` keep-alive connections, each sending
 * its next request when the last one is answered, until `stop`. Every answer is a sample.
 */
export class ClosedLoopLoad {
  readonly samples: LoadSample[] = [];
  readonly started = performance.now();
  private running = true;
  private readonly pool: Pool;
  private readonly loops: Promise<void>[];
  private waiter: { left: number; readonly sentFrom: number; readonly resolve: () => void } | undefined;
  private stopped: Promise<LoadSample[]> | undefined;

  constructor(gatewayUrl: string, clients: number, private readonly path = '/v2/models/iris/infer') {
    this.pool = new Pool(gatewayUrl, { connections: clients });
    this.loops = Array.from({ length: clients }, (_, n) => this.loop(n));
  }

  /** ms since the load started. */
  now(): number {
    return performance.now() - this.started;
  }

  /**
   * Resolves once `n` more requests, sent at `sentFrom` (ms since the start) or later, have been
   * answered: the load really ran between two events.
   */
  more(n: number, sentFrom = 0): Promise<void> {
    return new Promise((resolve) => (this.waiter = { left: n, sentFrom, resolve }));
  }

  /** Lets every client finish its request in flight, then closes the connections; the second call waits for the first. */
  stop(): Promise<LoadSample[]> {
    this.stopped ??= (async () => {
      this.running = false;
      await Promise.all(this.loops);
      await this.pool.close();
      return this.samples;
    })();
    return this.stopped;
  }

  private async loop(n: number): Promise<void> {
    for (let i = n; this.running; i++) {
      const at = this.now();
      let status = 0;
      let error: string | undefined;
      try {
        const res = await this.pool.request({ method: 'POST', path: this.path, headers: { 'content-type': 'application/json' }, body: BODIES[i % BODIES.length] });
        const text = await res.body.text();
        status = res.statusCode;
        if (status !== 200) error = text.slice(0, 300);
      } catch (err) {
        // a connection error: status 0, a failure
        error = (err as Error).message;
      }
      this.samples.push({ at, ms: this.now() - at, status, ...(error === undefined ? {} : { error }) });
      const waiter = this.waiter;
      if (waiter !== undefined && at >= waiter.sentFrom && --waiter.left <= 0) {
        waiter.resolve();
        this.waiter = undefined;
      }
    }
  }
}

/** Requests, failures (anything but 200) and the 99th percentile latency of some samples. */
export interface LoadFigures {
  readonly requests: number;
  readonly failed: number;
  /** What the failures answered, e.g. {"502": 3, "0": 1}. */
  readonly failedBy: Readonly<Record<string, number>>;
  /** The first few failures' answers. */
  readonly errors: readonly string[];
  readonly p99Ms: number;
}

export function loadFigures(samples: readonly LoadSample[]): LoadFigures {
  const failedBy: Record<string, number> = {};
  for (const s of samples) if (s.status !== 200) failedBy[s.status] = (failedBy[s.status] ?? 0) + 1;
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const n = sorted.length;
  return {
    requests: n,
    failed: Object.values(failedBy).reduce((a, b) => a + b, 0),
    failedBy,
    errors: samples.filter((s) => s.error !== undefined).slice(0, 3).map((s) => `${s.status} ${s.error}`),
    p99Ms: n === 0 ? NaN : sorted[Math.min(n - 1, Math.ceil(n * 0.99) - 1)]!,
  };
}
