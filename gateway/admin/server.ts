import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.js';
import { readBody } from '../../protocol/http-body.js';
import { SwitchyardError } from '../../protocol/errors.js';
import type { ReloadState } from '../config/watch.js';
import { GatewayErrorCode, notFound } from '../errors.js';
import type { GatewayMetrics } from '../metrics.js';
import { sendError, sendJson } from '../respond.js';
import type { ExperimentService } from '../experiments/service.js';
import type { NotificationsConfig } from '../config/schema.js';
import type { GatewayRuntime } from '../runtime.js';
import type { CompiledRoute } from '../routing/compile.js';
import { answerHealth, HEALTH_PATHS } from '../server/health-endpoints.js';
import { slowClientOptions } from '../server/data-server.js';
import type { RuntimeStateStore } from '../state/store.js';
import { AdminAuth } from './admin-auth.js';
import { handleExperiments } from './experiments-api.js';
import { handleDashboard } from './dashboard/handler.js';
import { decodeSegment, parseJson, requireJson, requireMethod } from './request.js';
import { parseWeights } from './weights.js';
import { handleRolloutApi } from './rollout-api.js';
import { answerBackends } from './backends-api.js';
import type { ResilienceState } from '../resilience/state.js';
import type { RolloutController } from '../rollout/controller.js';
import type { ShadowBook } from '../filters/shadow/book.js';
import { SeriesRecorder } from './dashboard/series/recorder.js';
import { SeriesSampler } from './dashboard/series/sampler.js';
import { answerSeries } from './series-api.js';

/** Largest admin request body, bytes. */
const MAX_ADMIN_BODY_BYTES = 64 * 1024;

export interface AdminDeps {
  readonly runtime: GatewayRuntime;
  readonly store: RuntimeStateStore;
  readonly metrics: GatewayMetrics;
  readonly reloadState: () => ReloadState;
  /** Bearer token required on /admin/*; undefined: none (loopback only). */
  readonly token: string | undefined;
  /** The experiments API (/v1/experiments). */
  readonly experiments: ExperimentService;
  readonly log: Logger;
  /** Epoch ms. */
  readonly now: () => number;
  /** Canary rollouts (/admin/rollouts); absent: that part of the API answers 404. */
  readonly rollouts?: RolloutController;
  /** Shadow comparisons per route (GET /admin/shadows). */
  readonly shadows?: ShadowBook;
  /** Breakers, for GET /admin/backends. */
  readonly resilience?: ResilienceState;
  /** How often the dashboard's time series sample the routes, ms (default DEFAULT_SERIES_INTERVAL_MS). */
  readonly seriesIntervalMs?: number;
  /** Told after a blue-green switch is stored (notifications); must not block. */
  readonly onSwitched?: (route: string, active: string, previous: string) => void;
}

/**
 * The admin listener: /healthz, /readyz and /metrics (open, for probes and scrapers) and the
 * JSON admin API under /admin/ and the experiments API under /v1/experiments (bearer token
 * when one is configured).
 */
export function createAdminServer(deps: AdminDeps): Server {
  const auth = new AdminAuth(deps.token, deps.now);
  const series = new SeriesRecorder(deps.seriesIntervalMs);
  // The data listener's slow-client limits (limits.clientHeaderTimeout, clientBodyTimeout): a
  // slowloris connection is cut off here as it is there.
  const server = createServer(slowClientOptions(deps.runtime.current.config.limits), (req, res) => void handle(req, res, deps, auth, series).catch((err: unknown) => {
    if (!(err instanceof SwitchyardError)) deps.log.error({ err, url: req.url }, 'admin request failed');
    sendError(res, err);
  }));
  // The dashboard's charts sample while the listener is open.
  const sampler = new SeriesSampler({ recorder: series, registry: deps.metrics.registry, routes: () => deps.runtime.current.routes, now: deps.now, log: deps.log });
  server.once('listening', () => sampler.start());
  server.once('close', () => sampler.stop());
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: AdminDeps, auth: AdminAuth, series: SeriesRecorder): Promise<void> {
  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?')[0]!;
  if (HEALTH_PATHS.has(path)) return answerHealth(res, path, deps.runtime);
  if (path === '/metrics') {
    requireMethod(method, path, 'GET');
    const text = await deps.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
    res.end(text);
    return;
  }
  if (await handleDashboard(req, res, method, path, auth)) return;
  const experiments = path === '/v1/experiments' || path.startsWith('/v1/experiments/');
  if (!path.startsWith('/admin/') && !experiments) throw notFound(method, path);
  // The dashboard's session cookie (HttpOnly, SameSite=Strict) stands for the token: docs/dashboard.md.
  auth.authorize(req);
  if (experiments) return handleExperiments(req, res, method, path, deps.experiments);

  if (path === '/admin/config') {
    requireMethod(method, path, 'GET');
    const { config, source } = deps.runtime.current;
    return sendJson(res, 200, { file: source.file, hash: source.hash, loadedAt: source.loadedAt.toISOString(), config: redact(config) });
  }
  if (path === '/admin/config/errors') {
    requireMethod(method, path, 'GET');
    const state = deps.reloadState();
    return sendJson(res, 200, { errors: state.lastErrors, at: state.lastErrorAt?.toISOString() ?? null, rejected: state.rejected, applied: state.applied });
  }
  if (path === '/admin/routes') {
    requireMethod(method, path, 'GET');
    return sendJson(res, 200, { routes: deps.runtime.current.routes.map(routeView) });
  }
  if (path === '/admin/series') return answerSeries(res, method, path, req.url ?? path, series, deps.runtime.current, deps.rollouts, deps.now());
  if (path === '/admin/backends') return answerBackends(res, method, path, deps.runtime, deps.now(), deps.resilience);
  if (path === '/admin/shadows' && deps.shadows !== undefined) {
    requireMethod(method, path, 'GET');
    return sendJson(res, 200, { shadows: deps.shadows.report() });
  }
  if (deps.rollouts !== undefined && path.startsWith('/admin/rollouts') && await handleRolloutApi(req, res, path, deps.runtime.current, deps.rollouts)) return;
  const action = /^\/admin\/routes\/([^/]+)\/(weights|switch)$/.exec(path);
  if (action === null) throw notFound(method, path);
  requireMethod(method, path, 'POST');
  requireJson(req);
  const name = decodeSegment(action[1]!, 'route name');
  const route = deps.runtime.current.routesByName.get(name);
  if (route === undefined) {
    const known = [...deps.runtime.current.routesByName.keys()].join(', ');
    throw new SwitchyardError(GatewayErrorCode.ROUTE_NOT_FOUND, 404, `no route named '${name}'; routes: ${known}`);
  }
  if (action[2] === 'weights') await setWeights(req, route, deps);
  else await switchColour(route, deps);
  sendJson(res, 200, routeView((await deps.runtime.refreshRoute(name)) ?? route));
}

async function setWeights(req: IncomingMessage, route: CompiledRoute, deps: AdminDeps): Promise<void> {
  const weights = parseWeights(route.name, route.target, parseJson(await readBody(req, MAX_ADMIN_BODY_BYTES)));
  await deps.store.setOverride(route.name, { fingerprint: route.target.fingerprint, weights, updatedAt: deps.now() });
  deps.log.info({ event: 'weights_changed', route: route.name, weights }, 'route weights changed through the admin API');
}

/** Flips a blue-green route: all traffic to the other colour. Switching again switches back. */
async function switchColour(route: CompiledRoute, deps: AdminDeps): Promise<void> {
  const view = route.target.view();
  if (view.kind !== 'blueGreen') {
    throw new SwitchyardError(GatewayErrorCode.TARGET_MISMATCH, 409, `route '${route.name}' has a ${view.kind} target; only blueGreen routes switch`);
  }
  const configuredActive = route.config.rollout?.strategy === 'blueGreen' ? route.config.rollout.active : view.active;
  if (view.preview === configuredActive) await deps.store.deleteOverride(route.name);
  else await deps.store.setOverride(route.name, { fingerprint: route.target.fingerprint, active: view.preview, updatedAt: deps.now() });
  deps.log.info({ event: 'switched', route: route.name, active: view.preview }, 'blue-green route switched through the admin API');
  deps.onSwitched?.(route.name, view.preview, view.active);
}

export function routeView(route: CompiledRoute): Record<string, unknown> {
  return { name: route.name, match: route.match, target: route.target.view() };
}

/** The config as loaded, minus credentials (a Redis URL's password). */
function redact<T extends { store?: { redis: string } | undefined; notifications?: NotificationsConfig | undefined }>(config: T): T {
  const redacted = redactWebhooks(config);
  if (redacted.store === undefined) return redacted;
  const url = new URL(redacted.store.redis);
  if (url.password !== '') url.password = '***';
  return { ...redacted, store: { ...redacted.store, redis: url.toString() } };
}

/** A webhook URL's path is often its credential (Slack's are): only scheme and host are shown. */
function redactWebhooks<T extends { notifications?: NotificationsConfig | undefined }>(config: T): T {
  if (config.notifications === undefined) return config;
  const webhooks = config.notifications.webhooks.map((w) => ({ ...w, url: `${new URL(w.url).origin}/***` }));
  return { ...config, notifications: { ...config.notifications, webhooks } };
}
