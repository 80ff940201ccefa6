/**
 * Reads the gateway's Prometheus text into per-backend figures. Pure and free of Node imports:
 * tsc compiles it into dist/, the dashboard page imports that file in the browser, and the
 * tests import the same file to check the page's numbers.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Cumulative figures of one (route, backend) since the gateway started. */
export interface BackendTotals {
  readonly route: string;
  readonly backend: string;
  /** Served: success + failure + timeout + rejected (cancelled is the client's doing). */
  readonly requests: number;
  /** failure + timeout, as the canary analysis counts them. */
  readonly errors: number;
  /** Cumulative histogram buckets: upper bound in seconds (Infinity last) and count. */
  readonly buckets: readonly (readonly [le: number, count: number])[];
}

/** A window's figures: between two scrapes, or since start when there is no earlier scrape. */
export interface WindowFigures {
  /** Requests per second; null without an earlier scrape. */
  readonly ratePerSecond: number | null;
  readonly requests: number;
  /** errors / requests; null without requests. */
  readonly errorRate: number | null;
  /** 99th percentile latency, ms (Prometheus histogram_quantile interpolation); null without requests. */
  readonly p99Ms: number | null;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    samples.push({ name: m[1]!, labels, value: parseValue(m[3]!) });
  }
  return samples;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

const SERVED = new Set(['success', 'failure', 'timeout', 'rejected']);
const ERRORS = new Set(['failure', 'timeout']);

/** Every (route, backend) the request counter or histogram names, variants summed. */
export function backendTotals(samples: readonly Sample[]): BackendTotals[] {
  const byKey = new Map<string, { route: string; backend: string; requests: number; errors: number; buckets: Map<number, number> }>();
  const entry = (route: string, backend: string) => {
    const key = `${route}\u0000${backend}`;
    let e = byKey.get(key);
    if (e === undefined) byKey.set(key, (e = { route, backend, requests: 0, errors: 0, buckets: new Map() }));
    return e;
  };
  for (const s of samples) {
    const { route, backend, outcome, le } = s.labels;
    if (route === undefined || backend === undefined) continue;
    if (s.name === 'switchyard_gateway_requests_total' && outcome !== undefined) {
      const e = entry(route, backend);
      if (SERVED.has(outcome)) e.requests += s.value;
      if (ERRORS.has(outcome)) e.errors += s.value;
    } else if (s.name === 'switchyard_gateway_request_duration_seconds_bucket' && le !== undefined) {
      const e = entry(route, backend);
      const bound = parseValue(le);
      e.buckets.set(bound, (e.buckets.get(bound) ?? 0) + s.value);
    }
  }
  return [...byKey.values()].map((e) => ({
    route: e.route, backend: e.backend, requests: e.requests, errors: e.errors,
    buckets: [...e.buckets.entries()].sort((a, b) => a[0] - b[0]),
  }));
}

/**
 * The q-quantile (0..1) of cumulative buckets in seconds, as Prometheus' histogram_quantile:
 * linear within the bucket that holds the rank; the highest finite bound when the rank falls
 * in the +Inf bucket. Null without observations.
 */
export function quantileFromBuckets(buckets: readonly (readonly [number, number])[], q: number): number | null {
  const total = buckets.length === 0 ? 0 : buckets[buckets.length - 1]![1];
  if (total <= 0) return null;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      if (bound === Infinity) return previousBound;
      if (count === previousCount) return bound;
      return previousBound + (bound - previousBound) * ((rank - previousCount) / (count - previousCount));
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}

/** Figures between an earlier scrape and this one (`seconds` apart), or since start without one. */
export function windowFigures(current: BackendTotals, earlier: BackendTotals | undefined, seconds: number): WindowFigures {
  const requests = current.requests - (earlier?.requests ?? 0);
  const errors = current.errors - (earlier?.errors ?? 0);
  const before = new Map(earlier?.buckets ?? []);
  const buckets = current.buckets.map(([le, n]) => [le, n - (before.get(le) ?? 0)] as const);
  const p99 = quantileFromBuckets(buckets, 0.99);
  return {
    ratePerSecond: earlier === undefined || seconds <= 0 ? null : requests / seconds,
    requests,
    errorRate: requests > 0 ? errors / requests : null,
    p99Ms: requests > 0 && p99 !== null ? p99 * 1000 : null,
  };
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Breaker state per backend from switchyard_gateway_circuit_breaker_state (0, 1, 2), with its mode. */
export function breakerStates(samples: readonly Sample[]): Map<string, { state: BreakerState; mode: string }> {
  const states: BreakerState[] = ['closed', 'open', 'half-open'];
  const result = new Map<string, { state: BreakerState; mode: string }>();
  for (const s of samples) {
    if (s.name !== 'switchyard_gateway_circuit_breaker_state' || s.labels.backend === undefined) continue;
    result.set(s.labels.backend, { state: states[s.value] ?? 'closed', mode: s.labels.mode ?? 'enforce' });
  }
  return result;
}

/** Fallback answers per route (switchyard_gateway_fallback_total, kinds summed), cumulative. */
export function fallbackTotals(samples: readonly Sample[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== 'switchyard_gateway_fallback_total' || s.labels.route === undefined) continue;
    result.set(s.labels.route, (result.get(s.labels.route) ?? 0) + s.value);
  }
  return result;
}
