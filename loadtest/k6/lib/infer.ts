import { check } from 'k6';
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import { BASE_URL, envString, MAX_DROPPED, MAX_ERROR_RATE, MODEL, P95_MS, P99_MS } from './env.ts';

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

/**
 * The `traffic` tag on every request: `user` for inference, `admin` for the admin API. The
 * user-facing thresholds select traffic:user, so admin calls (ab.ts's outcome posts) are held
 * to their own thresholds and never move the inference figures.
 */
export const USER_TRAFFIC = { traffic: 'user' } as const;
export const ADMIN_TRAFFIC = { traffic: 'admin' } as const;

/**
 * One inference through the gateway, counted in the custom metrics by version and backend.
 * `extraTags` go on the request and on the custom metrics (spike.ts tags the phase).
 */
export function infer(extraHeaders: Record<string, string> = {}, extraTags: Record<string, string> = {}): Answer {
  const res = http.post(`${BASE_URL}/v2/models/${MODEL}/infer`, inferBody(__ITER + __VU * 1000), {
    headers: { 'content-type': 'application/json', ...extraHeaders },
    tags: { name: `infer ${MODEL}`, ...USER_TRAFFIC, ...extraTags },
  });
  const version = header(res, 'x-switchyard-version') || 'none';
  const backend = header(res, 'x-switchyard-backend') || 'none';
  const ok = check(res, { 'status is 200': (r) => r.status === 200 });
  const tags = { version, backend, status: String(res.status), ...extraTags };
  latency.add(res.timings.duration, tags);
  responses.add(1, tags);
  errors.add(!ok, tags);
  return { ok, status: res.status, version, backend, variant: header(res, 'x-switchyard-variant') };
}

/** Arrival-rate scenarios: at most MAX_DROPPED iterations left unsent for want of a free VU. */
export function droppedThreshold(): Record<string, string[]> {
  return { dropped_iterations: [`count<=${MAX_DROPPED}`] };
}

/** Thresholds every scenario shares: p95 and p99 latency in ms and the error rate of user traffic. */
export function standardThresholds(): Record<string, string[]> {
  return {
    'http_req_failed{traffic:user}': [`rate<${MAX_ERROR_RATE}`],
    'http_req_duration{traffic:user}': [`p(95)<${P95_MS}`, `p(99)<${P99_MS}`],
    switchyard_errors: [`rate<${MAX_ERROR_RATE}`],
    ...droppedThreshold(),
  };
}
