/**
 * Parameters every scenario reads from `__ENV` (k6 run -e NAME=value), with the defaults that
 * fit the demo stack (`npm start`): the gateway on :8080, the admin listener on :9901.
 */

/** A string parameter, or its default when unset or empty. */
export function envString(name: string, fallback: string): string {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

/** A numeric parameter; a value that is not a finite number stops the run before it starts. */
export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, received '${raw}'`);
  return value;
}

export const BASE_URL = envString('BASE_URL', 'http://127.0.0.1:8080');
export const ADMIN_URL = envString('ADMIN_URL', 'http://127.0.0.1:9901');
/** The model whose v2 infer endpoint is called: fraud (30 features) or iris (4 features). */
export const MODEL = envString('MODEL', 'fraud');
/** Requests per second at steady state. */
export const RATE = envNumber('RATE', 50);
/** k6 duration string (30s, 10m, 4h). */
export const DURATION = envString('DURATION', '1m');
/** Latency thresholds, milliseconds, and the error rate allowed (0..1). */
export const P95_MS = envNumber('P95_MS', 100);
export const P99_MS = envNumber('P99_MS', 250);
export const MAX_ERROR_RATE = envNumber('MAX_ERROR_RATE', 0.01);
/** Virtual users k6 holds ready for the arrival-rate executors, and the most it may add. */
export const PRE_VUS = envNumber('PRE_VUS', 20);
export const MAX_VUS = envNumber('MAX_VUS', 200);
/**
 * Iterations an arrival-rate scenario may drop (due while every VU was busy and MAX_VUS reached)
 * before its dropped_iterations threshold fails: a dropped iteration is load that was never
 * sent, so the latency figures would flatter the server.
 */
export const MAX_DROPPED = envNumber('MAX_DROPPED', 0);
/** The gateway's admin bearer token (its SWITCHYARD_ADMIN_TOKEN); empty sends none, as on loopback. */
export const ADMIN_TOKEN = envString('ADMIN_TOKEN', '');

/** A k6 duration (500ms, 30s, 1m30s, 2h) in milliseconds; anything else stops the run before it starts. */
export function durationMs(text: string): number {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g) ?? [] : [];
  if (parts.length === 0) throw new Error(`'${text}' is not a k6 duration such as 30s, 1m30s or 500ms`);
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return parts.reduce((sum, part) => {
    const [, value = '0', unit = 'ms'] = /^([\d.]+)(ms|s|m|h)$/.exec(part) ?? [];
    return sum + Number(value) * (unitMs[unit] ?? 0);
  }, 0);
}
