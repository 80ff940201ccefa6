import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { FilterFactory, UpstreamResult } from '../../pipeline/filter.js';
import { WRITTEN } from '../../pipeline/filter.js';
import { classifyError, classifyStatus } from '../../upstream/classify.js';
import { forwardUpstream } from '../../upstream/forward.js';
import { comparePredictions, readPrediction } from '../../rollout/prediction.js';
import { sendCopy } from '../shadow/send-copy.js';

/** Copies to stable in flight at once per route (maxDisagreement); past it a pair is dropped and counted. */
export const MAX_PAIRED_COPIES = 32;
/** How long stable's answer to a copy may take, ms. */
export const PAIRED_COPY_TIMEOUT_MS = 2_000;

/**
 * On canary routes, measures each answer for the rollout analysis: the verdict (the one
 * classifier) and latency per backend, and on model routes the prediction read from the v2
 * answer (which is buffered for that, bounded by limits.maxBodyBytes). With
 * analysis.maxDisagreement, each canary answer's request is also sent to stable after the canary
 * answered, off the request path, and the two predictions are compared; during the rollout's
 * shadow phase (canary at 0 %), stable's requests are sent to the canary the same way.
 * Requests that named a model version (`routedByVersion`) are not measured: a client pinning the
 * canary's version would otherwise weigh on the analysis however small the canary's weight.
 */
export const rolloutMeasureFilter: FilterFactory = {
  name: 'rollout-measure',
  create(route, deps) {
    const rollout = route.rollout;
    const meter = deps.meter;
    if (rollout?.strategy !== 'canary' || meter === undefined) return undefined;
    const name = route.name;
    const limit = deps.config.limits.maxBodyBytes;
    const modelRoute = deps.routeBackends.some((b) => b.model !== undefined);
    const stable = deps.backends.get(rollout.stable)!;
    const canary = deps.backends.get(rollout.canary)!;
    const pairing = modelRoute && rollout.analysis.maxDisagreement !== undefined;
    const forward = forwardUpstream({ random: deps.random, onConnectError: () => undefined });
    let inFlight = 0;
    return async function measure(ctx, next) {
      if (ctx.routedByVersion) return next(ctx);
      const backend = ctx.assignment!.backend;
      let result: UpstreamResult;
      try {
        result = await next(ctx);
        if (modelRoute && result.status === 200 && result.body !== null && result.body !== WRITTEN && !(result.body instanceof Uint8Array)) {
          const body = await readAll(result.body as Readable);
          result = { ...result, body };
          const prediction = body.byteLength <= limit ? readPrediction(body) : undefined;
          if (prediction !== undefined) {
            meter.recordPrediction(name, backend.name, prediction);
            // Canary answers are compared with stable's (maxDisagreement); in the shadow phase, stable's with the canary's.
            const other = pairing && backend.name === rollout.canary ? stable
              : modelRoute && backend.name === rollout.stable && meter.shadowing.has(name) ? canary : undefined;
            if (other !== undefined && ctx.body !== undefined) {
              if (inFlight >= MAX_PAIRED_COPIES) meter.recordPair(name, rollout.canary, undefined);
              else {
                inFlight++;
                void sendCopy(ctx, other, forward, PAIRED_COPY_TIMEOUT_MS, limit).then((answer) => {
                  const theirs = answer.verdict === 'success' && answer.body !== undefined ? readPrediction(answer.body) : undefined;
                  meter.recordPair(name, rollout.canary, theirs === undefined ? undefined : comparePredictions(prediction, theirs));
                }).catch((err: unknown) => deps.log.warn({ err, event: 'pair_compare_failed' }, 'a paired answer could not be compared')).finally(() => inFlight--);
              }
            }
          }
        }
      } catch (err) {
        meter.record(name, backend.name, classifyError(err), performance.now() - ctx.startedAt);
        throw err;
      }
      meter.record(name, backend.name, classifyStatus(result.status), performance.now() - ctx.startedAt);
      return result;
    };
  },
};

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
