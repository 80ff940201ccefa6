import { closedLoop } from '../harness/closed-loop.js';
import { HttpSender, type RequestSpec } from '../harness/http-sender.js';
import { openLoop, type OpenLoopCounts, type RateProfile } from '../harness/open-loop.js';
import { summarise } from '../harness/percentiles.js';
import { Recorder, type Sample } from '../harness/recorder.js';

export interface Load {
  readonly url: string;
  readonly durationS: number;
  /** Open loop at this rate profile, or closed loop with this many connections. */
  readonly shape: { readonly kind: 'open'; readonly rate: RateProfile; readonly maxOutstanding: number; readonly timeoutMs?: number } | { readonly kind: 'closed'; readonly connections: number };
  /** The i-th request. Closed loop cycles through the first 256. */
  readonly request: (i: number) => RequestSpec;
  /** Runs after each answer (open loop only), e.g. posting an A/B outcome. */
  readonly after?: (sample: Sample, headers: Record<string, string>, i: number) => Promise<void>;
  readonly progress: (line: string) => void;
}

export interface Executed {
  readonly recorder: Recorder;
  readonly seconds: number;
  readonly counts?: OpenLoopCounts;
}

/** Drives the load and prints one progress line per second: rate, errors, p50/p99 of that second. */
export async function execute(load: Load): Promise<Executed> {
  const recorder = new Recorder();
  let window: Sample[] = [];
  let outstanding = 0;
  let dropped = 0;
  const started = performance.now();
  const record = (s: Sample) => {
    recorder.add(s);
    window.push(s);
  };
  const ticker = setInterval(() => {
    const w = window;
    window = [];
    const latency = summarise(w.map((s) => s.latencyMs));
    const errors = w.filter((s) => s.status < 200 || s.status >= 300).length;
    const elapsed = (performance.now() - started) / 1000;
    load.progress(`${elapsed.toFixed(0).padStart(5)}s  ${String(w.length).padStart(5)} req/s  errors ${errors}  p50 ${latency.p50.toFixed(2)} ms  p99 ${latency.p99.toFixed(2)} ms` +
      (load.shape.kind === 'open' ? `  outstanding ${outstanding}  dropped ${dropped}` : ''));
  }, 1000);
  try {
    if (load.shape.kind === 'closed') {
      const bodies = Array.from({ length: 256 }, (_, i) => load.request(i));
      const first = bodies[0]!;
      await closedLoop({
        url: load.url + first.path,
        method: first.method ?? 'POST',
        headers: first.headers,
        bodies: bodies.map((b) => Buffer.from(b.body ?? '')),
        connections: load.shape.connections,
        durationSeconds: load.durationS,
        onSample: record,
      });
      return { recorder, seconds: (performance.now() - started) / 1000 };
    }
    const sender = new HttpSender(load.url, load.shape.maxOutstanding, load.shape.timeoutMs);
    let i = 0;
    const loopStart = performance.now();
    const counts = await openLoop({
      rate: load.shape.rate,
      durationMs: load.durationS * 1000,
      maxOutstanding: load.shape.maxOutstanding,
      fire: async (dueMs) => {
        const n = i++;
        outstanding++;
        const answer = await sender.send(load.request(n), loopStart + dueMs, dueMs);
        record(answer);
        try {
          await load.after?.(answer, answer.headers, n);
        } finally {
          outstanding--;
        }
      },
      onDropped: () => dropped++,
    });
    await sender.close();
    return { recorder, seconds: (performance.now() - started) / 1000, counts };
  } finally {
    clearInterval(ticker);
  }
}
