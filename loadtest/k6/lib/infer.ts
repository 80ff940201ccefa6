import { check } from 'k6';
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import { BASE_URL, envString, MAX_ERROR_RATE, MODEL, P95_MS, P99_MS } from './env.ts';

/**
 * Custom metrics, tagged by what answered (x-switchyard-version and x-switchyard-backend), so a
 * threshold or a dashboard can single out one version: `switchyard_latency{version:2}`.
 */
export const latency = new Trend('switchyard_latency', true);
export const responses = new Counter('switchyard_responses');
export const errors = new Rate('switchyard_errors');

/** Input rows the demo models accept: fraud takes 30 features, iris 4. */
const FEATURES: Record<string, number> = { fraud: 30, iris: 4 };

/**
 * BODY_FILE: a JSON request body of your own (a model other than the demo's), read once at
 * init (k6's open() resolves it against the script's folder unless absolute).
 */
const BODY_FILE = envString('BODY_FILE', '');
const fixedBody = BODY_FILE === '' ? undefined : open(BODY_FILE);

/** A v2 inference body for MODEL with one row; the values vary with `seed` so caches do not help. */
export function inferBody(seed: number): string {
  if (fixedBody !== undefined) return fixedBody;
  const width = FEATURES[MODEL] ?? 4;
  const data: number[] = [];
  for (let i = 0; i < width; i++) data.push(((seed * 31 + i * 7) % 100) / 25);
  return JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, width], data }] });
}

/** A response header, whatever case the server or k6 gave its name. */
export function header(res: RefinedResponse<ResponseType | undefined>, name: string): string {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(res.headers)) {
    if (key.toLowerCase() === wanted) return res.headers[key] ?? '';
  }
  return '';
}

export interface Answer {
  readonly ok: boolean;
  readonly status: number;
  readonly version: string;
  readonly backend: string;
  readonly variant: string;
}

/** One inference through the gateway, counted in the custom metrics by version and backend. */
export function infer(extraHeaders: Record<string, string> = {}): Answer {
  const res = http.post(`${BASE_URL}/v2/models/${MODEL}/infer`, inferBody(__ITER + __VU * 1000), {
    headers: { 'content-type': 'application/json', ...extraHeaders },
    tags: { name: `infer ${MODEL}` },
  });
  const version = header(res, 'x-switchyard-version') || 'none';
  const backend = header(res, 'x-switchyard-backend') || 'none';
  const ok = check(res, { 'status is 200': (r) => r.status === 200 });
  const tags = { version, backend, status: String(res.status) };
  latency.add(res.timings.duration, tags);
  responses.add(1, tags);
  errors.add(!ok, tags);
  return { ok, status: res.status, version, backend, variant: header(res, 'x-switchyard-variant') };
}

/** Thresholds every scenario shares: p95 and p99 latency in ms and the error rate. */
export function standardThresholds(): Record<string, string[]> {
  return {
    http_req_failed: [`rate<${MAX_ERROR_RATE}`],
    http_req_duration: [`p(95)<${P95_MS}`, `p(99)<${P99_MS}`],
    switchyard_errors: [`rate<${MAX_ERROR_RATE}`],
  };
}
