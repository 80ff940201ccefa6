import type { Readable } from 'node:stream';
import type { Logger } from '../../observability/logger.js';
import type { GatewayConfig, RouteConfig } from '../config/schema.js';
import type { RequestContext } from './context.js';
import type { CompiledBackend } from '../upstream/backend.js';
import type { RouteTarget } from '../routing/targets.js';
import type { ExposureRecorder } from '../experiments/exposure.js';
import type { ResilienceState } from '../resilience/state.js';
import type { IntervalMeter } from '../rollout/meter.js';
import type { ShadowBook } from '../filters/shadow/book.js';

/** Response headers as the upstream client gives them: lower-case names, repeated headers as arrays. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Marks a result whose status, headers and body already went to the client (see RequestContext.sink). */
export const WRITTEN = Symbol('written to the client');

/** What every step of a chain returns; the listener writes it out. */
export interface UpstreamResult {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /**
   * A stream from the upstream, bytes already in memory (cache, fallbacks), or WRITTEN when
   * the upstream step streamed the answer straight into the client's response.
   */
  readonly body: Readable | Uint8Array | null | typeof WRITTEN;
}

export type Next = (ctx: RequestContext) => Promise<UpstreamResult>;

/** One feature on the request path: do something, call `next` (or not), return a result. */
export type Filter = (ctx: RequestContext, next: Next) => Promise<UpstreamResult>;

/** What a filter factory may use when a route's chain is compiled (once per config load). */
export interface FilterDeps {
  readonly config: GatewayConfig;
  /** Every backend of the config, compiled (pools, balancers). */
  readonly backends: ReadonlyMap<string, CompiledBackend>;
  /** The backends this route can send to, in config order. */
  readonly routeBackends: readonly CompiledBackend[];
  /** The route's compiled target (live weights). */
  readonly target: RouteTarget;
  readonly log: Logger;
  readonly now: () => number;
  readonly random: () => number;
  /** Counts experiment exposures; absent where nothing records them (unit tests). */
  readonly exposures?: ExposureRecorder;
  /** Breakers, in-flight counts and caches kept across config reloads; absent in tests that need none. */
  readonly resilience?: ResilienceState;
  /** Per-backend measurements for canary analysis; absent in tests that do not need it. */
  readonly meter?: IntervalMeter;
  /** Shadow figures per route, for metrics and the admin API. */
  readonly shadows?: ShadowBook;
}

/**
 * A feature as a factory, like Envoy's HTTP filter factories: `create` runs at config load for
 * each route and returns the per-request function, or undefined when the feature does not
 * apply to that route (so a disabled feature costs nothing per request).
 */
export interface FilterFactory {
  readonly name: string;
  create(route: RouteConfig, deps: FilterDeps): Filter | undefined;
}
