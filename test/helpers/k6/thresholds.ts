/**
 * k6's thresholds over the samples of a run: `metric{tag:value,...}` selects the samples whose
 * tags match, and each expression (`rate<0.01`, `p(95)<100`, `count>0`) is checked against the
 * aggregate of that metric's kind, computed as k6 computes it.
 */

export type MetricKind = 'counter' | 'rate' | 'trend' | 'gauge';

export interface Sample {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly value: number;
  readonly tags: Readonly<Record<string, string>>;
}

export type ThresholdSpec = string | { readonly threshold: string };

export interface ThresholdResult {
  /** The key as the script wrote it, e.g. `switchyard_errors{phase:after}`. */
  readonly key: string;
  readonly expression: string;
  /** The aggregate; undefined when no sample matched (k6 then passes the threshold). */
  readonly value: number | undefined;
  readonly ok: boolean;
}

/** `name{a:b,c:d}` → the metric name and the tags a sample must carry. */
export function parseSelector(key: string): { readonly metric: string; readonly tags: Readonly<Record<string, string>> } {
  const match = /^([\w.]+)(?:\{(.*)\})?$/.exec(key.trim());
  if (!match) throw new Error(`'${key}' is not a threshold key such as http_req_duration{status:200}`);
  const tags: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf(':');
    if (at < 0) throw new Error(`'${key}': tag filter '${pair}' has no ':'`);
    tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim().replace(/^["']|["']$/g, '');
  }
  return { metric: match[1]!, tags };
}

/** The samples of `key`'s metric whose tags include every tag the key names. */
export function select(samples: readonly Sample[], key: string): Sample[] {
  const { metric, tags } = parseSelector(key);
  return samples.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v));
}

/** k6's percentile: linear interpolation between the two nearest ranks of the sorted values. */
function percentile(sorted: readonly number[], pct: number): number {
  const i = (pct / 100) * (sorted.length - 1);
  const low = sorted[Math.floor(i)]!;
  const high = sorted[Math.ceil(i)]!;
  return low + (high - low) * (i - Math.floor(i));
}

/** One aggregation (`rate`, `count`, `p(95)`, `avg`, ...) of samples of one kind; testMs for a counter's rate per second. */
export function aggregate(kind: MetricKind, values: readonly number[], method: string, testMs: number): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const pct = /^p\(\s*([\d.]+)\s*\)$/.exec(method);
  if (kind === 'counter' && method === 'count') return sum;
  if (kind === 'counter' && method === 'rate') return sum / (testMs / 1000);
  if (kind === 'rate' && method === 'rate') return values.filter((v) => v !== 0).length / values.length;
  if (kind === 'gauge' && method === 'value') return values.at(-1)!;
  if (kind === 'trend' || kind === 'gauge') {
    const sorted = [...values].sort((a, b) => a - b);
    if (method === 'min') return sorted[0]!;
    if (method === 'max') return sorted.at(-1)!;
    if (kind === 'trend' && method === 'avg') return sum / values.length;
    if (kind === 'trend' && method === 'med') return percentile(sorted, 50);
    if (kind === 'trend' && pct) return percentile(sorted, Number(pct[1]));
  }
  throw new Error(`k6 has no '${method}' for a ${kind} metric`);
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
  '==': (a, b) => a === b, '===': (a, b) => a === b, '!=': (a, b) => a !== b,
};

/** Every threshold of a script's options, evaluated over the run's samples. */
export function evaluateThresholds(thresholds: Readonly<Record<string, readonly ThresholdSpec[]>>, samples: readonly Sample[], testMs: number): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [key, specs] of Object.entries(thresholds)) {
    const matched = select(samples, key);
    for (const spec of specs) {
      const expression = typeof spec === 'string' ? spec : spec.threshold;
      const parsed = /^\s*(count|rate|value|avg|min|max|med|p\(\s*[\d.]+\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)\s*$/.exec(expression);
      if (!parsed) throw new Error(`${key}: '${expression}' is not a threshold expression`);
      if (matched.length === 0) {
        results.push({ key, expression, value: undefined, ok: true });
        continue;
      }
      const value = aggregate(matched[0]!.kind, matched.map((s) => s.value), parsed[1]!.replace(/\s+/g, ''), testMs);
      results.push({ key, expression, value, ok: COMPARE[parsed[2]!]!(value, Number(parsed[3])) });
    }
  }
  return results;
}
