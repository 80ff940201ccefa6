import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Logger } from '../observability/logger.js';
import { adminExposureProblem, ADMIN_TOKEN_ENV } from './admin/auth.js';
import { createAdminServer } from './admin/server.js';
import { formatConfigError, formatPath } from './config/errors.js';
import type { ConfigSource } from './config/load.js';
import { loadConfig } from './config/load.js';
import { ConfigCompileError } from './config/watch.js';
import type { StoreConfig } from './config/schema.js';
import { ExposureRecorder } from './experiments/exposure.js';
import { ExperimentService } from './experiments/service.js';
import { openResultsHistory } from './experiments/history/open.js';
import { HistorySampler } from './experiments/history/sampler.js';
import { createMemoryExperimentStore } from './experiments/store/memory.js';
import { createRedisExperimentStore } from './experiments/store/redis.js';
import type { ExperimentStore } from './experiments/store/store.js';
import { ROUTE_FILTERS } from './filters/index.js';
import type { Probe } from './health/prober.js';
import { HealthProber, logEndpointChange, type HealthTransition } from './health/prober.js';
import { TransitionLog } from './health/transition-log.js';
import type { GatewayMetrics } from './metrics.js';
import { createGatewayMetrics } from './metric-set.js';
import type { CompiledGateway, CompileDeps } from './routing/compile.js';
import type { Next } from './pipeline/filter.js';
import { compileGateway } from './routing/compile.js';
import { GatewayRuntime } from './runtime.js';
import { DataServer } from './server/data-server.js';
import { MemoryStateStore } from './state/memory-store.js';
import type { RuntimeStateStore } from './state/store.js';
import { RedisStateStore } from './state/redis-store.js';
import type { PoolEndpoints } from './upstream/backend.js';
import type { UpstreamEndpoint, UpstreamTlsOptions } from './upstream/endpoint.js';
import { EndpointRegistry } from './upstream/endpoint.js';
import { watchReloads } from './reload.js';
import { GrpcChannels, grpcAddressBook } from './grpc/channels.js';
import { byTransport, forwardGrpc } from './grpc/forward.js';
import { GatewayGrpcServer } from './grpc/server.js';
import { ResilienceState } from './resilience/state.js';
import { RolloutController } from './rollout/controller.js';
import { IntervalMeter } from './rollout/meter.js';
import { rolloutNotification, switchNotification } from './notifications/events.js';
import { ExperimentAlarms } from './notifications/experiment-alarms.js';
import type { NotifierDeps } from './notifications/notifier.js';
import { Notifier } from './notifications/notifier.js';
import { DEFAULT_ALARM_INTERVAL_MS } from './notifications/schema.js';

/** How long a drain waits for requests in flight before cutting them, ms. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

export interface StartGatewayOptions {
  readonly configPath: string;
  readonly log: Logger;
  /** Worker URLs per pool name, from `switchyard up`; a pool without any here needs pools.NAME.endpoints. */
  readonly poolEndpoints?: PoolEndpoints;
  /** Override listeners.http.port / .host and listeners.admin.port / .host (0 picks a free port). */
  readonly httpPort?: number;
  readonly httpHost?: string;
  readonly adminPort?: number;
  readonly adminHost?: string;
  /** Override listeners.grpc.port / .host (0 picks a free port). */
  readonly grpcPort?: number;
  readonly grpcHost?: string;
  /** Workers' gRPC addresses (host:port) per pool, in the order of poolEndpoints, from `switchyard up`. */
  readonly poolGrpcEndpoints?: PoolEndpoints;
  /** Admin bearer token; default: the SWITCHYARD_ADMIN_TOKEN environment variable. */
  readonly adminToken?: string;
  /** Runtime state (overrides, rollouts, measurements); default: Redis when the config has store.redis, else memory. */
  readonly store?: RuntimeStateStore;
  /** Experiment exposures and outcomes; default: Redis when the config has store.redis, else memory. */
  readonly experimentStore?: ExperimentStore;
  /** Trust for https upstreams (a private CA). */
  readonly upstreamTls?: UpstreamTlsOptions;
  /** Health probing: interval and timeout in ms, and the probe itself (tests). */
  readonly probe?: { readonly intervalMs?: number; readonly timeoutMs?: number; readonly probe?: Probe };
  readonly drainTimeoutMs?: number;
  readonly reloadDebounceMs?: number;
  /** Epoch ms clock and [0, 1) random source; injected in tests. */
  readonly now?: () => number;
  readonly random?: () => number;
  /** How often the rollout controller looks at its rollouts, ms (default 250). */
  readonly rolloutTickMs?: number;
  /** How often the dashboard's time series sample the routes, ms; tests shorten it. */
  readonly dashboardSampleMs?: number;
  /** Canary analysis measurements; injected by tests that read what the request path recorded. */
  readonly meter?: IntervalMeter;
  /** How long the rollout analysis lease lasts unrenewed, ms (default 2000). */
  readonly analysisLeaseMs?: number;
  /** Shortest time between two health transition lines about one subject, ms (default 10 s; health/transition-log.ts). */
  readonly transitionLogWindowMs?: number;
  /** How often the experiment history sampler looks, ms (default 1000; 0: never, tests call sampleExperiments). */
  readonly historyTickMs?: number;
  /** Webhook delivery: environment for secrets, the wait between retries, the POST itself (tests). */
  readonly notifications?: Pick<NotifierDeps, 'env' | 'sleep' | 'post'>;
}

export interface RunningGateway {
  readonly httpPort: number;
  readonly adminPort: number;
  /** Port of the gRPC listener (inference.GRPCInferenceService and grpc.health.v1.Health). */
  readonly grpcPort: number;
  readonly scheme: 'http' | 'https';
  readonly metrics: GatewayMetrics;
  readonly rollouts: RolloutController;
  /** Webhook notifications (idle() resolves once every queue is delivered). */
  readonly notifier: Notifier;
  /** Experiment alarms; check() looks once (tests). */
  readonly alarms: ExperimentAlarms;
  /** The compiled config in effect. */
  current(): CompiledGateway;
  /** Re-read the config file now (what a file change does, without waiting for the watcher). */
  reload(): Promise<void>;
  /** Record each running experiment's results for the slot of `at` (epoch ms), as the sampler's timer does. */
  sampleExperiments(at?: number): Promise<void>;
  /** Not ready, stop accepting, finish in-flight requests (up to drainTimeoutMs), close everything. */
  drain(): Promise<void>;
}

/** Starts a gateway replica: load and compile the config, probe endpoints, listen, watch the file. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { log } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const loaded = await loadConfig(options.configPath);
  if (!loaded.ok) throw new Error(`the config is not valid:\n${loaded.errors.map((e) => formatConfigError(e)).join('\n')}`);
  for (const w of loaded.warnings) log.warn({ event: 'config_warning' }, formatConfigError(w, 'warning'));
  const adminHost = options.adminHost ?? loaded.config.listeners.admin.host;
  const token = (options.adminToken ?? process.env[ADMIN_TOKEN_ENV]) || undefined;
  const exposure = adminExposureProblem(adminHost, token);
  if (exposure !== undefined) throw new Error(exposure);

  // What is open so far, closed in reverse if a later step fails (a port in use, a bad
  // certificate), so a failed start leaves no Redis connection or timer keeping the process alive.
  const undo: (() => unknown)[] = [];
  try {
    const { metrics, shadows, experiments: experimentMetrics, resilience: resilienceMetrics, rollouts: rolloutMetrics, grpcListener: grpcMetrics, notifications: notificationMetrics } = createGatewayMetrics();
    const registry = new EndpointRegistry(options.upstreamTls);
    const store = options.store ?? openStore(loaded.config.store, log);
    undo.push(() => store.close());
    const meter = options.meter ?? new IntervalMeter();
    const experimentStore = options.experimentStore ?? openExperimentStore(loaded.config.store, log);
    undo.push(() => experimentStore.close());
    const exposures = new ExposureRecorder({ store: experimentStore, metrics: experimentMetrics, log: log.child({ filter: 'exposure' }), now });
    const channels = new GrpcChannels({ 'grpc.max_receive_message_length': -1 });
    undo.push(() => channels.close(), () => registry.close());
    // Health transitions (probes, refusals, breakers, ejections, fallbacks): one rate-limited line each.
    const events = new TransitionLog(log, { clock: { now }, windowMs: options.transitionLogWindowMs });
    const resilience = new ResilienceState(resilienceMetrics, log, events);
    // Both called per request only, once `runtime` below exists.
    const backendsOf = (e: UpstreamEndpoint): string[] => [...runtime.current.backends.values()].filter((b) => b.endpoints.includes(e)).map((b) => b.name);
    const onOutOfRotation = (e: UpstreamEndpoint, change: HealthTransition): void => logEndpointChange(events, e, change, backendsOf(e));
    const grpcTerminal = (config: Parameters<typeof compileGateway>[0], http: Next): Next => byTransport(http, forwardGrpc({
      channels, random, now, onConnectError: (b) => metrics.connectError(b), onOutOfRotation,
      addresses: grpcAddressBook(config, options.poolEndpoints ?? {}, options.poolGrpcEndpoints ?? {}),
    }));
    const deps: CompileDeps = {
      registry, poolEndpoints: options.poolEndpoints ?? {}, metrics, factories: ROUTE_FILTERS, log, now, random, exposures, grpcTerminal, resilience, meter, shadows, onOutOfRotation,
    };
    const initial = await compileOrExplain(loaded.config, loaded.source, deps);
    const runtime = new GatewayRuntime(initial, store, registry, log);
    undo.push(() => runtime.close());
    await runtime.loadOverrides(initial);
    metrics.loaded(loaded.source.loadedAt);

    const prober = new HealthProber(() => registry.all(), {
      ...options.probe, now, events, backendsOf,
    });
    await prober.probeAll();
    prober.start();
    undo.push(() => prober.stop());

    // Rollout events and experiment alarms to webhooks; the YAML's section is applied again on each reload.
    const notifier = new Notifier({ ...options.notifications, metrics: notificationMetrics, log, now });
    notifier.configure(loaded.config.notifications);
    const rollouts = new RolloutController({
      runtime, store, meter, replica: replicaName(), metrics: rolloutMetrics, log, now, tickMs: options.rolloutTickMs, leaseMs: options.analysisLeaseMs,
      onEvent: (route, event) => {
        const notification = rolloutNotification(route, event);
        if (notification !== undefined) notifier.notify(notification);
      },
    });
    undo.push(() => rollouts.stop());
    // One look before traffic: a rollout (and its golden gate) starts before the first request.
    await rollouts.tick().catch((err: unknown) => log.warn({ err }, 'the first rollout tick failed; the controller tries again every tick'));

    const grpcListener = loaded.config.listeners.grpc;
    const grpcTls = grpcListener.tls === undefined ? undefined : await readGrpcTls(grpcListener.tls);
    const data = new DataServer({
      runtime, log, random, upstreamTls: options.upstreamTls ?? {}, tls: initial.tls,
      noRoute: metrics.recorder('', '', ''), onConnectError: (b) => metrics.connectError(b), limits: loaded.config.limits,
    });
    const http = loaded.config.listeners.http;
    undo.push(() => closeServer(data.server as Server));
    const httpPort = await listen(data.server as Server, options.httpPort ?? http.port, options.httpHost ?? http.host, 'listeners.http');
    const grpc = new GatewayGrpcServer({
      runtime, log: log.child({ listener: 'grpc' }), noRoute: metrics.recorder('', '', ''), maxMessageBytes: loaded.config.limits.maxBodyBytes, tls: grpcTls,
      limits: loaded.config.limits, metrics: grpcMetrics,
    });
    undo.push(() => grpc.drain(Promise.resolve()));
    const grpcPort = await grpc.listen(options.grpcPort ?? grpcListener.port, options.grpcHost ?? grpcListener.host);
    const watcher = watchReloads({
      file: options.configPath, source: loaded.source, runtime, data, prober, metrics, log, debounceMs: options.reloadDebounceMs,
      compile: async (config, source) => {
        const compiled = await compileGateway(config, source, deps);
        await runtime.loadOverrides(compiled);
        notifier.configure(config.notifications);
        alarms.start(config.notifications?.alarmInterval ?? DEFAULT_ALARM_INTERVAL_MS);
        return compiled;
      },
    });
    const history = openResultsHistory(loaded.config.store);
    undo.push(() => history.close());
    const experiments = new ExperimentService({ store: experimentStore, current: () => runtime.current, exposures, metrics: experimentMetrics, history, now });
    const sampler = new HistorySampler({ history, experiments: () => experiments.sampled(), results: (id) => experiments.resultsIfRunning(id), now, log: log.child({ component: 'experiment-history' }) });
    sampler.start(options.historyTickMs);
    undo.push(() => sampler.stop());
    const alarms = new ExperimentAlarms({ experiments, leading: () => rollouts.leading, notify: (n) => notifier.notify(n), log, now });
    alarms.start(loaded.config.notifications?.alarmInterval ?? DEFAULT_ALARM_INTERVAL_MS);
    undo.push(() => alarms.stop());
    const admin = createAdminServer({
      runtime, store, metrics, reloadState: () => watcher.state(), token, log, now, experiments, rollouts, shadows, resilience,
      seriesIntervalMs: options.dashboardSampleMs,
      onSwitched: (route, active, previous) => notifier.notify(switchNotification(route, active, previous, now())),
    });
    undo.push(() => watcher.close());
    const adminPort = await listen(admin, options.adminPort ?? loaded.config.listeners.admin.port, adminHost, 'listeners.admin');
    rollouts.start();
    let drained: Promise<void> | undefined;
    return {
      httpPort, adminPort, grpcPort, scheme: data.scheme, metrics, rollouts, notifier, alarms,
      current: () => runtime.current,
      reload: () => watcher.reload(),
      sampleExperiments: (at) => sampler.tick(at),
      drain: () => (drained ??= (async () => {
        runtime.draining = true;
        await rollouts.stop();
        await sampler.stop();
        alarms.stop();
        watcher.close();
        prober.stop();
        const closed = closeServer(data.server as Server);
        const deadline = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
        const timer = new Promise<void>((resolve) => setTimeout(resolve, deadline).unref());
        const grpcDrained = grpc.drain(timer);
        await Promise.race([data.whenIdle(), timer]);
        (data.server as Server).closeAllConnections();
        await closed;
        await grpcDrained;
        channels.close();
        admin.closeAllConnections();
        await closeServer(admin);
        runtime.close();
        await registry.close();
        await store.close();
        await experimentStore.close();
        await history.close();
      })()),
    };
  } catch (err) {
    for (const step of undo.reverse()) await Promise.resolve().then(step).catch(() => undefined);
    throw err;
  }
}

/** The store the config names: Redis shared by every replica, or memory for one. */
function openExperimentStore(config: StoreConfig | undefined, log: Logger): ExperimentStore {
  if (config === undefined) return createMemoryExperimentStore();
  const storeLog = log.child({ store: 'experiments' });
  let lastError = '';
  return createRedisExperimentStore({
    redis: config.redis, keyPrefix: config.keyPrefix,
    // ioredis repeats the same error on every reconnect attempt; log each distinct one once.
    onError: (err) => {
      if (err.message === lastError) return;
      lastError = err.message;
      storeLog.warn({ err }, 'experiment store (Redis) connection error; exposures are dropped and outcome posts answered 503 until it is back');
    },
  });
}

/** The runtime store the config asks for: Redis with store.redis, else memory (one replica). */
function openStore(config: StoreConfig | undefined, log: Logger): RuntimeStateStore {
  if (config === undefined) return new MemoryStateStore();
  let warned = false;
  return new RedisStateStore({
    url: config.redis, keyPrefix: config.keyPrefix,
    onError: (err) => {
      // ioredis retries in the background; say it once per outage, not per retry.
      if (warned) return;
      warned = true;
      log.warn({ event: 'store_unavailable', err: err.message }, 'Redis is unreachable; routing goes on from the last known state');
      setTimeout(() => (warned = false), 30_000).unref();
    },
  });
}

/** This replica's name in the store: host, pid and a random suffix (a restarted pid is a new replica). */
function replicaName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

async function compileOrExplain(config: Parameters<typeof compileGateway>[0], source: ConfigSource, deps: CompileDeps): Promise<CompiledGateway> {
  try {
    return await compileGateway(config, source, deps);
  } catch (err) {
    if (!(err instanceof ConfigCompileError)) throw err;
    const place = source.locate(err.path);
    throw new Error(`the config is not valid:\n${formatConfigError({ file: source.file, ...place, path: formatPath(err.path), message: err.message })}`);
  }
}

/** The gRPC listener's PEM files, read once at start-up. */
async function readGrpcTls(tls: { readonly cert: string; readonly key: string }): Promise<{ cert: Buffer; key: Buffer }> {
  try {
    return { cert: await readFile(tls.cert), key: await readFile(tls.key) };
  } catch (err) {
    throw new Error(`listeners.grpc.tls: cannot read the certificate or key: ${(err as Error).message}`, { cause: err });
  }
}

function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void =>
      reject(new Error(err.code === 'EADDRINUSE' ? `${what}: ${host}:${port} is already in use; pick another port (0 picks a free one)` : `${what}: cannot listen on ${host}:${port}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
