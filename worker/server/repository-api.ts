import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../../protocol/http-body.js';
import { ProtocolErrorCode, SwitchyardError, badRequest } from '../../protocol/errors.js';
import { WorkerErrorCode } from '../errors.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { sendJson } from './respond.js';
import { invalidModelName, isValidModelName } from '../repository/model-name.js';

/**
 * How the loaded models may change while the worker runs (Triton's model control modes):
 * `none` loads the repository at start and refuses load/unload; `explicit` (the default) also
 * loads everything at start and then changes only through load/unload; `poll` also re-reads the
 * repository on an interval.
 */
export const MODEL_CONTROL_MODES = ['none', 'explicit', 'poll'] as const;
export type ModelControlMode = (typeof MODEL_CONTROL_MODES)[number];

/** Largest body of a repository request, bytes: they carry a few flags at most. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Triton's model repository extension over REST: POST /v2/repository/index,
 * POST /v2/repository/models/{m}/load and .../unload. `parts` follow /v2/repository/.
 * Load answers once the new versions are warmed up and ready; unload once the model's
 * in-flight requests have finished.
 */
export async function handleRepository(req: IncomingMessage, res: ServerResponse, parts: readonly string[], registry: ModelRegistry, mode: ModelControlMode): Promise<void> {
  if (req.method !== 'POST') throw new SwitchyardError(WorkerErrorCode.METHOD_NOT_ALLOWED, 405, `method ${req.method} is not allowed here; use POST`);
  const body = await readJsonObject(req);
  if (parts.length === 1 && parts[0] === 'index') {
    const ready = body.ready === true;
    const entries = await registry.index();
    return sendJson(res, 200, ready ? entries.filter((e) => e.state === 'READY') : entries);
  }
  if (parts.length === 3 && parts[0] === 'models' && (parts[2] === 'load' || parts[2] === 'unload')) {
    const model = parts[1]!;
    if (!isValidModelName(model)) throw invalidModelName(model, `the model name in /v2/repository/models/{name}/${parts[2]}`);
    if (mode === 'none') {
      throw new SwitchyardError(WorkerErrorCode.METHOD_NOT_ALLOWED, 403, `model ${parts[2]} is disabled: the worker runs with --model-control none; start it with explicit or poll`);
    }
    if (parts[2] === 'load') await registry.loadModel(model);
    else await registry.unloadModel(model);
    const versions = (await registry.index()).filter((e) => e.name === model);
    return sendJson(res, 200, { name: model, versions });
  }
  throw new SwitchyardError(WorkerErrorCode.NOT_FOUND, 404, `no such endpoint: POST /v2/repository/${parts.join('/')}`);
}

async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req, MAX_BODY_BYTES)).toString('utf8').trim();
  if (text === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badRequest(ProtocolErrorCode.INVALID_JSON, `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, 'the request body must be a JSON object');
  }
  return json as Record<string, unknown>;
}
