import { Pool } from 'undici';
import type { Sample } from './recorder.js';

export interface RequestSpec {
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/**
 * Sends requests to one origin over an undici pool of keep-alive connections (as many as the
 * open loop lets be outstanding) and turns each answer into a Sample.
 */
export class HttpSender {
  private readonly pool: Pool;

  constructor(origin: string, connections: number, private readonly timeoutMs = 10_000) {
    this.pool = new Pool(origin, { connections, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /**
   * One request; latency is measured from `dueAt` (performance.now() time the request was
   * due), so time spent waiting in a late generator counts against the server, as it would
   * for a real client. Never rejects: a failure is a sample with status 0.
   */
  async send(spec: RequestSpec, dueAt: number, atMs: number): Promise<Sample & { readonly headers: Record<string, string> }> {
    try {
      const res = await this.pool.request({ path: spec.path, method: spec.method ?? 'POST', headers: spec.headers, body: spec.body });
      await res.body.dump();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      return { atMs, latencyMs: performance.now() - dueAt, status: res.statusCode, version: headers['x-switchyard-version'] ?? '', headers };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const failure = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 'timeout' : 'conn';
      return { atMs, latencyMs: performance.now() - dueAt, status: 0, version: '', failure, headers: {} };
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
