import type { Logger } from '../../observability/logger.js';
import type { CacheFallbackConfig, CircuitBreakerConfig, GatewayConfig } from '../config/schema.js';
import { AnswerCache } from '../filters/cache-fallback/answer-cache.js';
import { CircuitBreaker } from '../filters/circuit-breaker/breaker.js';
import { BREAKER_STATE_VALUE, type ResilienceMetrics } from './metrics.js';
import { TransitionLog } from '../health/transition-log.js';
import type { UpstreamEndpoint } from '../upstream/endpoint.js';

/** A count of requests in flight, shared by the chains of successive configs. */
export interface InFlight {
  count: number;
}

/** Route-wide counts the retry budget reads. */
export interface RetryBudgetCounts {
  /** Requests of the route in flight. */
  active: number;
  /** Retries of the route in flight. */
  retrying: number;
}

interface Owned<T> {
  readonly value: T;
  readonly settings: string;
  /** The config that last asked for it: a second route of the same config gets the first route's. */
  owner: GatewayConfig;
}

/**
 * What resilience filters keep across config reloads, so a reload neither closes an open
 * breaker, nor empties a cache, nor forgets requests in flight. A breaker or cache is kept
 * while its settings stay the same; changed settings start a fresh one.
 */
export class ResilienceState {
  private readonly breakers = new Map<string, Owned<CircuitBreaker>>();
  private readonly caches = new Map<string, Owned<AnswerCache>>();
  private readonly inFlight = new Map<string, InFlight>();
  private readonly budgets = new Map<string, RetryBudgetCounts>();

  /** Endpoints watched by outlier detection, per backend, with the clock their ejections are in. */
  private readonly watched = new Map<string, { endpoints: readonly UpstreamEndpoint[]; now: () => number }>();

  /** Routes serving from their fallback now (a line when it starts and when it ends). */
  private readonly fallingBack = new Map<string, { since: number; served: number }>();

  /**
   * @param events where breaker changes, ejections and fallback episodes are logged,
   *   rate-limited per subject; default: a TransitionLog on `log` with the real clock.
   */
  constructor(readonly metrics: ResilienceMetrics, readonly log: Logger, readonly events: TransitionLog = new TransitionLog(log)) {
    metrics.ejectedNow = () => {
      const counts = new Map<string, number>();
      for (const [backend, w] of this.watched) {
        const now = w.now();
        counts.set(backend, w.endpoints.filter((e) => e.outlier.ejectedUntil > now).length);
      }
      return counts;
    };
  }

  /** Outlier detection watches these endpoints of a backend (the latest config's list wins). */
  watchEjections(backend: string, endpoints: readonly UpstreamEndpoint[], now: () => number): void {
    this.watched.set(backend, { endpoints, now });
  }

  /** The breaker of a backend. Within one config, the first route that configures one decides its settings. */
  breaker(backend: string, config: CircuitBreakerConfig, owner: GatewayConfig): CircuitBreaker {
    const settings = JSON.stringify(config);
    const kept = this.breakers.get(backend);
    if (kept !== undefined && (kept.owner === owner || kept.settings === settings)) {
      kept.owner = owner;
      return kept.value;
    }
    const events = this.events;
    const metrics = this.metrics;
    const breaker = new CircuitBreaker(config, (t) => {
      metrics.breakerTransitions.labels(backend, t.from, t.to, config.mode).inc();
      metrics.breakerState.labels(backend, config.mode).set(BREAKER_STATE_VALUE[t.to]);
      const fields = { event: 'circuit_breaker', filter: 'circuit-breaker', backend, from: t.from, to: t.to, reason: t.reason, openForMs: t.openForMs, mode: config.mode };
      const message = config.mode === 'observe' ? `circuit breaker would go ${t.to} (observe mode: nothing refused)` : `circuit breaker ${t.to}`;
      if (t.to === 'closed') events.info(`circuit_breaker ${backend}`, fields, message);
      else events.warn(`circuit_breaker ${backend}`, fields, message);
    });
    metrics.breakerState.labels(backend, config.mode).set(BREAKER_STATE_VALUE.closed);
    this.breakers.set(backend, { value: breaker, settings, owner });
    return breaker;
  }

  /** The state of a backend's breaker; undefined when no route configures one. */
  breakerState(backend: string): string | undefined {
    return this.breakers.get(backend)?.value.state;
  }

  /** A route's answer cache. */
  cache(route: string, config: CacheFallbackConfig, owner: GatewayConfig): AnswerCache {
    const settings = JSON.stringify(config);
    const kept = this.caches.get(route);
    if (kept !== undefined && kept.settings === settings) {
      kept.owner = owner;
      return kept.value;
    }
    const gauge = this.metrics.cacheEntries.labels(route);
    const cache = new AnswerCache(config, (entries) => gauge.set(entries));
    this.caches.set(route, { value: cache, settings, owner });
    return cache;
  }

  /**
   * Counts a request of a route served by its fallback (`kind`: cache, static or none) and
   * logs the start of a fallback episode: the route's first such request since its upstream
   * last answered. Kept here so a reload does not restart an episode.
   */
  fallbackServed(route: string, kind: string, reason: string, now: number): void {
    const episode = this.fallingBack.get(route);
    if (episode !== undefined) {
      episode.served++;
      return;
    }
    this.fallingBack.set(route, { since: now, served: 1 });
    this.events.warn(`fallback ${route}`, { event: 'fallback_started', filter: 'cache-fallback', route, kind, reason }, 'route serving from its fallback');
  }

  /** The upstream answered a request of the route again: ends its fallback episode, if one is on. */
  upstreamServed(route: string, now: number): void {
    const episode = this.fallingBack.get(route);
    if (episode === undefined) return;
    this.fallingBack.delete(route);
    this.events.info(`fallback ${route}`,
      { event: 'fallback_ended', filter: 'cache-fallback', route, served: episode.served, forMs: now - episode.since }, 'route served by its upstream again');
  }

  /** Requests in flight, by key ('route:NAME' or 'backend:NAME'). */
  counter(key: string): InFlight {
    let c = this.inFlight.get(key);
    if (c === undefined) this.inFlight.set(key, (c = { count: 0 }));
    return c;
  }

  budget(route: string): RetryBudgetCounts {
    let b = this.budgets.get(route);
    if (b === undefined) this.budgets.set(route, (b = { active: 0, retrying: 0 }));
    return b;
  }
}
