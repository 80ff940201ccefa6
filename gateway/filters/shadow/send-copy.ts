import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { RequestContext } from '../../pipeline/context.js';
import type { Next } from '../../pipeline/filter.js';
import { WRITTEN } from '../../pipeline/filter.js';
import type { CompiledBackend } from '../../upstream/backend.js';
import type { Verdict } from '../../upstream/classify.js';
import { readLimited } from '../../upstream/buffer-result.js';
import { classifyError, classifyStatus } from '../../upstream/classify.js';

/** What a copy of a request got: the one verdict, the body (when it fit), and how long it took. */
export interface CopyAnswer {
  readonly verdict: Verdict;
  readonly status: number | undefined;
  readonly body: Buffer | undefined;
  /** Milliseconds from sending to the end of the answer. */
  readonly ms: number;
}

/**
 * Sends a copy of a buffered request to another backend through the terminal upstream step, so
 * its answer never passes the route's other filters (cache, experiment counters). Its own
 * timeout (ms) aborts the upstream request; an answer past maxBodyBytes is dropped unread.
 * Never throws: every outcome is a verdict.
 */
export async function sendCopy(
  original: RequestContext, backend: CompiledBackend, forward: Next, timeoutMs: number, maxBodyBytes: number,
): Promise<CopyAnswer> {
  const started = performance.now();
  const copy = new RequestContext(original.req, original.route, original.requestId, original.path, original.query, original.scheme, started);
  copy.assignment = { backend, variant: '' };
  copy.body = original.body;
  const abort = new EventEmitter();
  copy.clientGone = abort;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.emit('abort');
  }, timeoutMs);
  timer.unref();
  try {
    const result = await forward(copy);
    const body = result.body === WRITTEN || result.body === null ? undefined
      : result.body instanceof Uint8Array ? Buffer.from(result.body) : await readLimited(result.body, maxBodyBytes);
    return { verdict: classifyStatus(result.status), status: result.status, body, ms: performance.now() - started };
  } catch (err) {
    return { verdict: timedOut ? 'timeout' : classifyError(err), status: undefined, body: undefined, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
