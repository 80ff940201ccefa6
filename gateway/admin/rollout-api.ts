import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../../protocol/http-body.js';
import { SwitchyardError } from '../../protocol/errors.js';
import { GatewayErrorCode, invalidRequest, methodNotAllowed, notFound } from '../errors.js';
import { sendJson } from '../respond.js';
import type { RolloutController } from '../rollout/controller.js';
import type { RolloutCommand, RolloutState } from '../rollout/machine.js';
import { RolloutCommandError } from '../rollout/machine.js';
import type { CompiledGateway, CompiledRoute } from '../routing/compile.js';
import { STORE_UNAVAILABLE } from '../state/unavailable.js';

/** Largest body of a rollout command, bytes. */
const MAX_COMMAND_BYTES = 4 * 1024;
const COMMANDS: readonly RolloutCommand[] = ['promote', 'abort', 'pause', 'resume'];

/**
 * The rollout part of the admin API:
 *   GET  /admin/rollouts                      every canary and blue-green route, in brief
 *   GET  /admin/rollouts/ROUTE                phase, step, weights, every analysis with its figures, history
 *   POST /admin/rollouts/ROUTE/promote|abort|pause|resume   body (optional): {"reason": "...", "full": true}
 * Blue-green routes switch with POST /admin/routes/ROUTE/switch. Returns false for other paths.
 */
export async function handleRolloutApi(
  req: IncomingMessage, res: ServerResponse, path: string, compiled: CompiledGateway, controller: RolloutController,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (path === '/admin/rollouts') {
    if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
    const routes = compiled.routes.filter((r) => r.config.rollout !== undefined);
    // analysisLeader: whether this replica runs the analysis (it holds the store's lease).
    sendJson(res, 200, { analysisLeader: controller.leading, rollouts: await Promise.all(routes.map(async (r) => brief(await statusOf(r, controller)))) });
    return true;
  }
  const match = /^\/admin\/rollouts\/([^/]+)(?:\/([a-z]+))?$/.exec(path);
  if (match === null) return false;
  const route = findRoute(compiled, decode(match[1]!));
  const command = match[2];
  if (command === undefined) {
    if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
    sendJson(res, 200, await statusOf(route, controller));
    return true;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) throw notFound(method, path);
  if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
  if (route.config.rollout?.strategy !== 'canary' || route.config.rollout.steps === undefined) {
    const hint = route.config.rollout?.strategy === 'blueGreen' ? `; switch it with POST /admin/routes/${route.name}/switch` : '';
    throw new SwitchyardError(GatewayErrorCode.TARGET_MISMATCH, 409, `route '${route.name}' has no canary rollout with steps, so it cannot ${command}${hint}`);
  }
  const options = await readOptions(req);
  try {
    await controller.command(route, command as RolloutCommand, options);
  } catch (err) {
    if (err instanceof RolloutCommandError) throw new SwitchyardError('ROLLOUT_CONFLICT', 409, err.message);
    if (err instanceof SwitchyardError && err.code === STORE_UNAVAILABLE) throw commandNotMade(route.name, command, err);
    throw err;
  }
  sendJson(res, 200, await statusOf(route, controller));
  return true;
}

/** The full status of one route's rollout. */
export async function statusOf(route: CompiledRoute, controller: RolloutController): Promise<Record<string, unknown>> {
  const view = route.target.view();
  const rollout = route.config.rollout;
  if (rollout?.strategy !== 'canary') return { route: route.name, strategy: rollout?.strategy ?? 'none', target: view };
  const state: RolloutState | undefined = await controller.status(route);
  const weights = view.kind === 'canary' ? view.weights : undefined;
  const steps = rollout.steps ?? [];
  return {
    route: route.name, strategy: 'canary', stable: rollout.stable, canary: rollout.canary,
    phase: state?.phase ?? (steps.length === 0 ? 'manual' : 'starting'),
    reason: state?.reason ?? null,
    weights,
    steps, step: state === undefined ? null : steps.indexOf(state.weight),
    intervalMs: rollout.interval, analysisConfig: rollout.analysis,
    failures: state?.failures ?? 0, inconclusive: state?.inconclusive ?? 0,
    startedAt: state === undefined ? null : new Date(state.startedAt).toISOString(),
    intervalStartedAt: state === undefined ? null : new Date(state.intervalStartedAt).toISOString(),
    analyses: (state?.analyses ?? []).map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    history: (state?.history ?? []).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
  };
}

/**
 * A command the store did not take. Whether the store failed on reading the rollout or on the
 * (fenced) write of its result, the command has not happened and will not happen later, which
 * is what an operator needs to know before sending it again.
 */
function commandNotMade(route: string, command: string, cause: SwitchyardError): SwitchyardError {
  return new SwitchyardError(STORE_UNAVAILABLE, 503,
    `the ${command} of route '${route}' was not made and will not take effect later: the runtime store (Redis) did not answer; send it again once Redis is back`,
    { cause, retryAfterSeconds: cause.retryAfterSeconds });
}

function brief(status: Record<string, unknown>): Record<string, unknown> {
  const { route, strategy, phase, weights, reason, target } = status;
  return { route, strategy, phase, weights, reason, target };
}

function findRoute(compiled: CompiledGateway, name: string): CompiledRoute {
  const route = compiled.routesByName.get(name);
  if (route !== undefined) return route;
  const known = compiled.routes.filter((r) => r.config.rollout !== undefined).map((r) => r.name).join(', ') || 'none';
  throw new SwitchyardError(GatewayErrorCode.ROUTE_NOT_FOUND, 404, `no route named '${name}'; routes with a rollout: ${known}`);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidRequest(`the route name '${segment}' has a malformed percent-encoding`);
  }
}

/** Optional JSON body {reason?: string, full?: boolean}; changes need content-type application/json (see server.ts). */
async function readOptions(req: IncomingMessage): Promise<{ reason?: string; full?: boolean }> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new SwitchyardError('UNSUPPORTED_MEDIA_TYPE', 415, `admin changes must be sent with content-type: application/json; received ${type === '' ? 'none' : `'${type}'`}`);
  }
  const text = (await readBody(req, MAX_COMMAND_BYTES)).toString('utf8').trim();
  if (text === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new SwitchyardError(GatewayErrorCode.INVALID_JSON, 400, `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('expected a JSON object such as {"reason": "v2 blocks good customers"}');
  const { reason, full } = body as { reason?: unknown; full?: unknown };
  if (reason !== undefined && typeof reason !== 'string') throw invalidRequest(`reason: expected a string; found ${JSON.stringify(reason)}`);
  if (full !== undefined && typeof full !== 'boolean') throw invalidRequest(`full: expected true or false; found ${JSON.stringify(full)}`);
  return { ...(reason === undefined ? {} : { reason }), ...(full === undefined ? {} : { full }) };
}
