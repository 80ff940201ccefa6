import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../../protocol/http-body.js';
import { SwitchyardError } from '../../protocol/errors.js';
import { GatewayErrorCode, notFound } from '../errors.js';
import type { ExperimentService } from '../experiments/service.js';
import { sendJson } from '../respond.js';
import { decodeSegment, parseJson, requireJson, requireMethod } from './request.js';

/** Largest outcomes post, bytes: room for MAX_OUTCOMES_PER_POST outcomes with long unit ids. */
const MAX_OUTCOMES_BODY_BYTES = 1024 * 1024;
/** Largest body of the other experiment calls, bytes. */
const MAX_SMALL_BODY_BYTES = 4 * 1024;

/**
 * The experiments API on the admin listener:
 *   GET  /v1/experiments                   every experiment in the config, with exposures
 *   GET  /v1/experiments/{id}/results      statistics, SRM check and recommendation
 *   GET  /v1/experiments/{id}/history      the cumulative results recorded every historyInterval, oldest first
 *   POST /v1/experiments/{id}/outcomes     {unit, metric, value} or {outcomes: [...]}, idempotencyKey?;
 *                                          answers {accepted, duplicate, idempotencyKey} (a 503 carries the key too)
 *   POST /v1/experiments/{id}/stop         no more exposure counting (outcomes still accepted)
 *   GET  /v1/experiments/{id}/export       every unit's variant and totals, as JSON
 *   POST /v1/experiments/{id}/reset        {"confirm": "<id>"}: forget all of the experiment's data
 */
export async function handleExperiments(req: IncomingMessage, res: ServerResponse, method: string, path: string, service: ExperimentService): Promise<void> {
  if (path === '/v1/experiments') {
    requireMethod(method, path, 'GET');
    return sendJson(res, 200, { experiments: await service.list() });
  }
  const match = /^\/v1\/experiments\/([^/]+)\/(results|history|outcomes|stop|export|reset)$/.exec(path);
  if (match === null) throw notFound(method, path);
  const id = decodeSegment(match[1]!, 'experiment id');
  switch (match[2]) {
    case 'results':
      requireMethod(method, path, 'GET');
      return sendJson(res, 200, await service.results(id));
    case 'history':
      requireMethod(method, path, 'GET');
      return sendJson(res, 200, await service.history(id));
    case 'export':
      requireMethod(method, path, 'GET');
      return sendJson(res, 200, await service.export(id), { 'content-disposition': `attachment; filename="${id}.json"` });
    case 'outcomes': {
      requireMethod(method, path, 'POST');
      requireJson(req);
      const result = await service.recordOutcomes(id, parseJson(await readBody(req, MAX_OUTCOMES_BODY_BYTES)));
      return sendJson(res, 200, result);
    }
    case 'stop':
      requireMethod(method, path, 'POST');
      requireJson(req);
      await readBody(req, MAX_SMALL_BODY_BYTES);
      await service.stop(id);
      return sendJson(res, 200, { experimentId: id, stopped: true });
    default: {
      requireMethod(method, path, 'POST');
      requireJson(req);
      const body = parseJson(await readBody(req, MAX_SMALL_BODY_BYTES)) as { confirm?: unknown } | null;
      if (typeof body !== 'object' || body === null || body.confirm !== id) {
        throw new SwitchyardError(GatewayErrorCode.INVALID_REQUEST, 400, `a reset deletes every exposure and outcome of '${id}'; send {"confirm": "${id}"} to confirm`);
      }
      await service.reset(id);
      return sendJson(res, 200, { experimentId: id, reset: true });
    }
  }
}
