import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's defaults that are gauges named like counters: Prometheus keeps the `_total`
 * suffix for counters (`promtool check metrics` refuses it on a gauge). Each is the sum of a
 * default that stays, grouped by type (`nodejs_active_handles{type}` and so on), so a query
 * that needs the total reads `sum(...)` of that one.
 */
export const DROPPED_DEFAULT_GAUGES: readonly string[] = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * Registers prom-client's default process and Node.js metrics under `prefix` (memory, CPU,
 * event-loop lag, GC, heap spaces, active handles by type), less the gauges above.
 */
export function collectProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of DROPPED_DEFAULT_GAUGES) registry.removeSingleMetric(prefix + name);
}
