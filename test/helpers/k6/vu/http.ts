import { requestSync } from './context.js';

/** The params the scripts pass: headers, tags, timeout (a k6 duration or ms). */
interface Params {
  readonly headers?: Record<string, string>;
  readonly tags?: Record<string, string>;
  readonly timeout?: number;
}

/** The parts of k6's Response the scripts read. */
export interface Response {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly timings: { readonly duration: number };
  readonly error: string;
  json(): unknown;
}

/** k6's default request timeout, ms. */
const TIMEOUT_MS = 60_000;

export function request(method: string, url: string, body?: string | null, params: Params = {}): Response {
  const answer = requestSync({
    method, url, body: body ?? undefined, headers: params.headers ?? {}, tags: params.tags ?? {}, timeoutMs: params.timeout ?? TIMEOUT_MS,
  });
  return {
    status: answer.status,
    body: answer.body,
    headers: { ...answer.headers },
    timings: { duration: answer.durationMs },
    error: answer.error,
    json: () => JSON.parse(answer.body) as unknown,
  };
}

export function get(url: string, params?: Params): Response {
  return request('GET', url, undefined, params);
}

export function post(url: string, body?: string | null, params?: Params): Response {
  return request('POST', url, body, params);
}

export function put(url: string, body?: string | null, params?: Params): Response {
  return request('PUT', url, body, params);
}

export function del(url: string, body?: string | null, params?: Params): Response {
  return request('DELETE', url, body, params);
}

export default { request, get, post, put, del };
