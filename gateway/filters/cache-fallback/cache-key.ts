import { createHash } from 'node:crypto';

/**
 * The cache key of an inference request: the model, the request path (it says which protocol
 * answers: v2 `/infer` and v1 `:predict` answer in different shapes) and a sha256 of the
 * canonical JSON of what decides the answer: `inputs` (v2) or `instances` (v1), and the
 * requested `outputs`. Canonical: object keys sorted at every level, so key order and
 * whitespace in the request do not matter; `parameters` (priority, timeout) do not either.
 * A body that is not JSON (binary tensor data) is hashed as it is. The route is not in the
 * key: each route has its own cache.
 */
export function cacheKey(model: string, path: string, body: Uint8Array): string {
  const hash = createHash('sha256');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const request = parsed as Record<string, unknown>;
    hash.update(canonicalJson({ inputs: request.inputs, instances: request.instances, outputs: request.outputs }));
  } else {
    hash.update('raw\0').update(body);
  }
  return `${model}\n${path}\n${hash.digest('hex')}`;
}

/** JSON with object keys sorted, undefined members left out, as JSON.stringify would. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
