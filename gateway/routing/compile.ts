import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { Logger } from '../../observability/logger.js';
import type { GatewayConfig, MatchConfig, RouteConfig, TlsConfig } from '../config/schema.js';
import type { ConfigSource } from '../config/load.js';
import { ConfigCompileError } from '../config/watch.js';
import type { GatewayMetrics, RequestRecorder } from '../metrics.js';
import type { Assignment, RouteInfo } from '../pipeline/context.js';
import { buildChain } from '../pipeline/compose.js';
import type { FilterFactory, Next } from '../pipeline/filter.js';
import type { CompiledBackend, PoolEndpoints } from '../upstream/backend.js';
import { compileBackends } from '../upstream/backend.js';
import type { EndpointRegistry } from '../upstream/endpoint.js';
import { forwardUpstream, type ForwardDeps } from '../upstream/forward.js';
import type { ExposureRecorder } from '../experiments/exposure.js';
import type { IntervalMeter } from '../rollout/meter.js';
import type { ShadowBook } from '../filters/shadow/book.js';
import type { RouteTarget } from './targets.js';
import { compileTarget } from './targets.js';
import type { ResilienceState } from '../resilience/state.js';

/** One route, ready to serve: its match rule, live target, filter chain and metric handles. */
export interface CompiledRoute extends RouteInfo {
  readonly config: RouteConfig;
  readonly match: MatchConfig;
  readonly target: RouteTarget;
  readonly handler: Next;
  /** Metric handles per assignment (compared by identity, so the lookup is cheap). */
  readonly recorders: ReadonlyMap<Assignment, RequestRecorder>;
  /** For requests that fail before the target step assigned them. */
  readonly unassigned: RequestRecorder;
  /** True when every backend is a plain proxy: WebSocket upgrades are allowed. */
  readonly plain: boolean;
}

/** Everything one config compiles to. Immutable once swapped in, except the targets' live weights. */
export interface CompiledGateway {
  readonly config: GatewayConfig;
  readonly source: ConfigSource;
  readonly routes: readonly CompiledRoute[];
  readonly routesByName: ReadonlyMap<string, CompiledRoute>;
  readonly backends: ReadonlyMap<string, CompiledBackend>;
  /** Origins of every endpoint, for keeping their pools across the swap. */
  readonly origins: ReadonlySet<string>;
  /** PEM cert and key of the HTTP listener, when it serves TLS. */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
}

export interface CompileDeps {
  readonly registry: EndpointRegistry;
  readonly poolEndpoints: PoolEndpoints;
  readonly metrics: GatewayMetrics;
  readonly factories: readonly FilterFactory[];
  readonly log: Logger;
  readonly now: () => number;
  readonly random: () => number;
  readonly exposures?: ExposureRecorder;
  /**
   * With a gRPC listener: wraps the HTTP terminal in one that forwards gRPC calls over gRPC
   * (gateway/grpc/), so both transports run the same chain, filters and metric handles.
   */
  readonly grpcTerminal?: (config: GatewayConfig, http: Next) => Next;
  /** Breakers, in-flight counts and caches kept across reloads (resilience filters). */
  readonly resilience?: ResilienceState;
  /** Canary analysis measurements (gateway/rollout/meter.ts). */
  readonly meter?: IntervalMeter;
  /** Shadow figures (gateway/filters/shadow/book.ts). */
  readonly shadows?: ShadowBook;
  /** An endpoint that refused a connection left the rotation: its log line. */
  readonly onOutOfRotation?: ForwardDeps['onOutOfRotation'];
}

/** Builds the route table off to the side; throws ConfigCompileError (with a config path) to refuse it. */
export async function compileGateway(config: GatewayConfig, source: ConfigSource, deps: CompileDeps): Promise<CompiledGateway> {
  const tls = await loadTls(config.listeners.http.tls);
  const backends = compileBackends(config, deps.registry, deps.poolEndpoints);
  const http = forwardUpstream({ random: deps.random, now: deps.now, onConnectError: (b) => deps.metrics.connectError(b), onOutOfRotation: deps.onOutOfRotation });
  const terminal = deps.grpcTerminal?.(config, http) ?? http;
  const routes = config.routes.map((route) => compileRoute(route, config, backends, terminal, deps));
  const origins = new Set([...backends.values()].flatMap((b) => b.endpoints.map((e) => e.origin)));
  return { config, source, routes, routesByName: new Map(routes.map((r) => [r.name, r])), backends, origins, tls };
}

function compileRoute(
  route: RouteConfig, config: GatewayConfig, backends: ReadonlyMap<string, CompiledBackend>, terminal: Next, deps: CompileDeps,
): CompiledRoute {
  const target = compileTarget(route, backends, deps.random);
  const routeBackends = [...new Set(target.assignments.map((a) => a.backend))];
  const handler = buildChain(deps.factories, route, {
    config, backends, routeBackends, target, log: deps.log.child({ route: route.name }), now: deps.now, random: deps.random, exposures: deps.exposures,
    meter: deps.meter, shadows: deps.shadows,
    ...(deps.resilience === undefined ? {} : { resilience: deps.resilience }),
  }, terminal);
  const recorders = new Map(target.assignments.map((a) => [a, deps.metrics.recorder(route.name, a.backend.name, a.variant)]));
  return {
    name: route.name, config: route, match: route.match, target, handler, recorders,
    unassigned: deps.metrics.recorder(route.name, '', ''),
    plain: routeBackends.every((b) => b.model === undefined),
  };
}

async function loadTls(tls: TlsConfig | undefined): Promise<CompiledGateway['tls']> {
  if (tls === undefined) return undefined;
  const read = async (field: 'cert' | 'key'): Promise<Buffer> => {
    try {
      return await readFile(tls[field]);
    } catch (err) {
      throw new ConfigCompileError(['listeners', 'http', 'tls', field], `cannot read '${tls[field]}': ${(err as Error).message}`);
    }
  };
  const [cert, key] = [await read('cert'), await read('key')];
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigCompileError(['listeners', 'http', 'tls'], `the certificate and key do not make a TLS context: ${(err as Error).message}`);
  }
  return { cert, key };
}
