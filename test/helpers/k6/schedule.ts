/**
 * When an arrival-rate scenario starts its iterations, as k6's executors do: the rate is
 * linear within each stage, and iteration i starts when the integral of the rate reaches i.
 */

/** The scenario options the stand-in runs (k6's constant- and ramping-arrival-rate executors). */
export interface ArrivalScenario {
  readonly executor: string;
  readonly rate?: number;
  readonly startRate?: number;
  readonly timeUnit?: string;
  readonly duration?: string;
  readonly stages?: readonly { readonly target: number; readonly duration: string }[];
  readonly preAllocatedVUs?: number;
  readonly maxVUs?: number;
  readonly exec?: string;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A k6 duration (500ms, 2s, 1m30s) in milliseconds. */
export function durationMs(text: string): number {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(text) ? text.match(/(\d+(?:\.\d+)?)(ms|s|m|h)/g) ?? [] : [];
  if (parts.length === 0) throw new Error(`'${text}' is not a k6 duration`);
  return parts.reduce((sum, part) => {
    const [, value = '0', unit = 'ms'] = /^([\d.]+)(ms|s|m|h)$/.exec(part) ?? [];
    return sum + Number(value) * UNIT_MS[unit]!;
  }, 0);
}

/** Linear segments of the rate, in iterations per millisecond. */
interface Segment { readonly from: number; readonly to: number; readonly ms: number }

function segments(s: ArrivalScenario): Segment[] {
  const perMs = 1 / durationMs(s.timeUnit ?? '1s');
  if (s.executor === 'constant-arrival-rate') {
    const rate = (s.rate ?? 0) * perMs;
    return [{ from: rate, to: rate, ms: durationMs(s.duration ?? '0s') }];
  }
  if (s.executor === 'ramping-arrival-rate') {
    let from = (s.startRate ?? 0) * perMs;
    return (s.stages ?? []).map((stage) => {
      const segment = { from, to: stage.target * perMs, ms: durationMs(stage.duration) };
      from = segment.to;
      return segment;
    });
  }
  throw new Error(`the k6 stand-in runs constant-arrival-rate and ramping-arrival-rate scenarios, not ${s.executor}`);
}

/** Start offsets (ms from the scenario's start) of every iteration, and the scenario's length. */
export function arrivals(s: ArrivalScenario): { readonly atMs: readonly number[]; readonly totalMs: number } {
  const atMs: number[] = [];
  let start = 0;
  let before = 0;
  for (const { from, to, ms } of segments(s)) {
    // Iterations so far at t ms into the segment: before + from·t + (to − from)·t²/(2·ms);
    // iteration n (the first is 0) starts once that reaches n. Stepped by 0.1 ms.
    for (let step = 0; step * 0.1 < ms; step++) {
      const t = step * 0.1;
      const reached = before + from * t + (to - from) * t * t / (2 * ms);
      while (reached >= atMs.length - 1e-9) atMs.push(start + t);
    }
    before += (from + to) * ms / 2;
    start += ms;
  }
  return { atMs, totalMs: start };
}
