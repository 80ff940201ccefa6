import { ADMIN_TOKEN_ENV } from '../gateway/admin/auth.js';

/** Where the CLI finds a gateway's admin listener when --admin is not given. */
export const ADMIN_URL_ENV = 'SWITCHYARD_ADMIN_URL';
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:9901';

export const ADMIN_OPTIONS_USAGE = `  --admin URL    the gateway's admin listener (default: $${ADMIN_URL_ENV} or ${DEFAULT_ADMIN_URL})
  --token TOKEN  admin bearer token (default: $${ADMIN_TOKEN_ENV})`;

/** A failed admin call, with the gateway's own error text when it sent one. */
export class AdminCallError extends Error {}

export interface AdminClient {
  get(path: string): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
}

/** JSON over HTTP to one gateway's admin API; errors carry the gateway's `{"error", "code"}`. */
export function adminClient(options: { admin?: string; token?: string }): AdminClient {
  const base = (options.admin ?? process.env[ADMIN_URL_ENV] ?? DEFAULT_ADMIN_URL).replace(/\/+$/, '');
  const token = options.token ?? process.env[ADMIN_TOKEN_ENV];
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new AdminCallError(`cannot reach the admin API at ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}; is the gateway running? (--admin URL or $${ADMIN_URL_ENV})`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      throw new AdminCallError(`${method} ${url} answered ${res.status} with a body that is not JSON`);
    }
    if (!res.ok) {
      const { error, code } = parsed as { error?: string; code?: string };
      throw new AdminCallError(`${method} ${path}: ${res.status} ${code ?? ''}: ${error ?? text}`);
    }
    return parsed;
  }

  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}
