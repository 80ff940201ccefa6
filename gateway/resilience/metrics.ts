import { Counter, Gauge, type Registry } from 'prom-client';

/** Breaker states as the gauge encodes them: 0 closed, 1 open, 2 half-open. */
export const BREAKER_STATE_VALUE = { closed: 0, open: 1, 'half-open': 2 } as const;

/**
 * Metrics of the resilience filters, on the gateway's registry. Labels are route and backend
 * names from the config, priority classes, fallback kinds and breaker states: never user input.
 */
export class ResilienceMetrics {
  readonly breakerState: Gauge<'backend' | 'mode'>;
  readonly breakerTransitions: Counter<'backend' | 'from' | 'to' | 'mode'>;
  readonly breakerRejected: Counter<'backend' | 'mode'>;
  readonly ejections: Counter<'backend'>;
  readonly ejectedEndpoints: Gauge<'backend'>;
  readonly shed: Counter<'route' | 'scope' | 'priority'>;
  readonly retries: Counter<'route' | 'backend'>;
  readonly retryBudgetExhausted: Counter<'route' | 'backend'>;
  readonly timeouts: Counter<'route' | 'kind'>;
  readonly fallbacks: Counter<'route' | 'kind'>;
  readonly cacheHits: Counter<'route'>;
  readonly cacheEntries: Gauge<'route'>;
  /** Endpoints ejected right now, per backend; read when metrics are scraped (ejections end by themselves). */
  ejectedNow: () => ReadonlyMap<string, number> = () => new Map();

  constructor(registry: Registry) {
    const ejectedNow = (): ReadonlyMap<string, number> => this.ejectedNow();
    const registers = [registry];
    this.breakerState = new Gauge({
      name: 'switchyard_gateway_circuit_breaker_state', help: 'Circuit breaker state per backend: 0 closed, 1 open, 2 half-open.',
      labelNames: ['backend', 'mode'] as const, registers,
    });
    this.breakerTransitions = new Counter({
      name: 'switchyard_gateway_circuit_breaker_transitions_total', help: 'Circuit breaker state changes, by backend, from, to and mode (enforce or observe).',
      labelNames: ['backend', 'from', 'to', 'mode'] as const, registers,
    });
    this.breakerRejected = new Counter({
      name: 'switchyard_gateway_circuit_breaker_rejected_total', help: 'Requests failed fast by an open breaker (mode observe: requests it would have failed).',
      labelNames: ['backend', 'mode'] as const, registers,
    });
    this.ejections = new Counter({
      name: 'switchyard_gateway_outlier_ejections_total', help: 'Endpoints ejected by outlier detection, by backend.',
      labelNames: ['backend'] as const, registers,
    });
    this.ejectedEndpoints = new Gauge({
      name: 'switchyard_gateway_outlier_ejected_endpoints', help: 'Endpoints of a backend ejected right now.',
      labelNames: ['backend'] as const, registers,
      collect() {
        for (const [backend, n] of ejectedNow()) this.labels(backend).set(n);
      },
    });
    this.shed = new Counter({
      name: 'switchyard_gateway_shed_requests_total', help: 'Requests refused with 503 by maxInFlight, by route, scope (route or backend) and priority class.',
      labelNames: ['route', 'scope', 'priority'] as const, registers,
    });
    this.retries = new Counter({
      name: 'switchyard_gateway_retries_total', help: 'Retries sent, by route and backend.',
      labelNames: ['route', 'backend'] as const, registers,
    });
    this.retryBudgetExhausted = new Counter({
      name: 'switchyard_gateway_retry_budget_exhausted_total', help: 'Retries not sent because the retry budget was spent, by route and backend.',
      labelNames: ['route', 'backend'] as const, registers,
    });
    this.timeouts = new Counter({
      name: 'switchyard_gateway_timeouts_total', help: 'Gateway timeouts, by route and kind (perTry or total).',
      labelNames: ['route', 'kind'] as const, registers,
    });
    this.fallbacks = new Counter({
      name: 'switchyard_gateway_fallback_total', help: 'Requests the upstream could not serve, by route and what answered: cache, static or none (503).',
      labelNames: ['route', 'kind'] as const, registers,
    });
    this.cacheHits = new Counter({
      name: 'switchyard_gateway_cache_hits_total', help: 'Answers served from the cache without asking the upstream (cache mode always).',
      labelNames: ['route'] as const, registers,
    });
    this.cacheEntries = new Gauge({
      name: 'switchyard_gateway_cache_entries', help: 'Answers held in a route\'s fallback cache.',
      labelNames: ['route'] as const, registers,
    });
  }
}
