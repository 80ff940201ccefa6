import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { FilterFactory, UpstreamResult } from '../../pipeline/filter.js';
import { WRITTEN } from '../../pipeline/filter.js';
import { comparePredictions, readPrediction } from '../../rollout/prediction.js';
import { forwardUpstream, hasBody } from '../../upstream/forward.js';
import { readLimited } from '../../upstream/buffer-result.js';
import { sendCopy } from './send-copy.js';

/**
 * Shadow traffic: after the primary answered, a copy of `percent` % of the route's requests goes
 * to `shadow.backend` with its own timeout, at most `maxConcurrent` at once; the copy is never
 * awaited, so the primary's status and latency do not depend on it. With compare: outputs, and a
 * v2 inference answer on both sides, the two are compared (top class, mean absolute difference).
 * On model routes the primary's answer is buffered for that (bounded by limits.maxBodyBytes).
 */
export const shadowFilter: FilterFactory = {
  name: 'shadow',
  create(route, deps) {
    const shadow = route.shadow;
    const book = deps.shadows;
    if (shadow === undefined || book === undefined) return undefined;
    const backend = deps.backends.get(shadow.backend)!;
    const forward = forwardUpstream({ random: deps.random, onConnectError: () => undefined });
    const figures = book.figures(route.name, backend.name);
    const compare = shadow.compare === 'outputs';
    const limit = deps.config.limits.maxBodyBytes;
    const random = deps.random;
    const log = deps.log;
    let inFlight = 0;
    return async function shadowCopy(ctx, next) {
      let result = await next(ctx);
      if (shadow.percent < 100 && random() * 100 >= shadow.percent) return result;
      // gRPC calls are not copied: their body is a protobuf message the HTTP copy cannot carry.
      const copyable = ctx.grpc === undefined && (ctx.body !== undefined ? ctx.body.byteLength <= shadow.maxBodyBytes : !hasBody(ctx.req));
      if (!copyable) {
        book.dropped(figures, 'skipped');
        return result;
      }
      if (inFlight >= shadow.maxConcurrent) {
        book.dropped(figures, 'dropped');
        return result;
      }
      const primaryMs = performance.now() - ctx.startedAt;
      let primaryBody: Uint8Array | undefined;
      if (compare && result.status === 200 && result.body !== null && result.body !== WRITTEN) {
        if (result.body instanceof Uint8Array) primaryBody = result.body;
        else {
          const read = await readLimited(result.body as Readable, limit);
          if (read !== undefined) {
            primaryBody = read;
            result = { ...result, body: read } satisfies UpstreamResult;
          }
        }
      }
      inFlight++;
      // Deferred to the next turn of the event loop, so the primary's answer is written first.
      const copy = new Promise<void>((resolve) => setImmediate(resolve)).then(() => sendCopy(ctx, backend, forward, shadow.timeout, limit));
      void copy.then((answer) => {
        const mine = primaryBody === undefined ? undefined : readPrediction(primaryBody);
        const theirs = mine === undefined || answer.body === undefined || answer.verdict !== 'success' ? undefined : readPrediction(answer.body);
        book.answered(figures, answer.verdict, answer.ms, primaryMs, mine !== undefined && theirs !== undefined ? comparePredictions(mine, theirs) : undefined);
      }).catch((err: unknown) => log.warn({ err, event: 'shadow_compare_failed' }, 'a shadow answer could not be compared')).finally(() => inFlight--);
      return result;
    };
  },
};
