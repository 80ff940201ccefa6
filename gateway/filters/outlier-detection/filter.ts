import { SwitchyardError } from '../../../protocol/errors.js';
import type { FilterFactory } from '../../pipeline/filter.js';
import type { UpstreamEndpoint } from '../../upstream/endpoint.js';
import { endpointOutcome, OutlierDetector } from '../../upstream/outlier.js';

/**
 * The innermost filter: sees every try and the endpoint that served it (ctx.endpoint), and
 * feeds outlier detection (gateway/upstream/outlier.ts). Ejected endpoints are skipped by
 * the balancer. A try the client abandoned says nothing about the endpoint.
 */
export const outlierDetectionFilter: FilterFactory = {
  name: 'outlier-detection',
  create(route, deps) {
    const config = route.resilience?.outlierDetection;
    if (config === undefined || deps.resilience === undefined) return undefined;
    const { metrics } = deps.resilience;
    const events = deps.resilience.events;
    const detectors = new Map<string, { detector: OutlierDetector; byOrigin: Map<string, UpstreamEndpoint> }>();
    for (const b of deps.routeBackends) {
      const ejections = metrics.ejections.labels(b.name);
      deps.resilience.watchEjections(b.name, b.endpoints, deps.now);
      const detector = new OutlierDetector(config, b.endpoints, (e, ejectedNow) => {
        ejections.inc();
        events.warn(`outlier ${b.name} ${e.endpoint}`,
          { event: 'outlier_ejected', filter: 'outlier-detection', backend: b.name, endpoint: e.endpoint, reason: e.reason, forMs: e.forMs, ejectedNow }, 'endpoint ejected');
      }, (endpoint, ejectedAt) => {
        events.info(`outlier ${b.name} ${endpoint}`,
          { event: 'outlier_returned', filter: 'outlier-detection', backend: b.name, endpoint, ejectedMs: deps.now() - ejectedAt }, 'ejected endpoint back in rotation');
      });
      detectors.set(b.name, { detector, byOrigin: new Map(b.endpoints.map((e) => [e.origin, e])) });
    }
    const now = deps.now;

    return async function detectOutliers(ctx, next) {
      ctx.endpoint = undefined;
      try {
        const result = await next(ctx);
        observe(result.status, undefined);
        return result;
      } catch (err) {
        if (!ctx.clientLeft) observe(undefined, err instanceof SwitchyardError ? err.code : undefined);
        throw err;
      }

      function observe(status: number | undefined, code: string | undefined): void {
        const d = detectors.get(ctx.assignment!.backend.name);
        const endpoint = ctx.endpoint === undefined ? undefined : d?.byOrigin.get(ctx.endpoint);
        if (d !== undefined && endpoint !== undefined) d.detector.record(endpoint, endpointOutcome(status, code), now());
      }
    };
  },
};
