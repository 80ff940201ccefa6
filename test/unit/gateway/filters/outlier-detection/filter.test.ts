import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { RouteConfig } from '../../../../../gateway/config/schema.js';
import { outlierDetectionFilter } from '../../../../../gateway/filters/outlier-detection/filter.js';
import { TransitionLog } from '../../../../../gateway/health/transition-log.js';
import type { FilterDeps, UpstreamResult } from '../../../../../gateway/pipeline/filter.js';
import { ResilienceMetrics } from '../../../../../gateway/resilience/metrics.js';
import { ResilienceState } from '../../../../../gateway/resilience/state.js';
import type { CompiledBackend } from '../../../../../gateway/upstream/backend.js';
import type { UpstreamEndpoint } from '../../../../../gateway/upstream/endpoint.js';
import { captureLog } from '../../../../helpers/log-capture.js';
import { fakeContext, fakeDeps } from '../fake-chain.js';

const endpoint = (origin: string) => ({
  origin, inFlight: 0, healthy: true, outlier: { consecutive5xx: 0, consecutiveGatewayFailure: 0, ejectedUntil: 0, ejections: 0 },
}) as unknown as UpstreamEndpoint;

describe('outlier-detection filter', () => {
  it('logs an ejection with its reason and time, and the return at the first try after it ended', async () => {
    const [a, b] = [endpoint('http://10.0.0.1:8000'), endpoint('http://10.0.0.2:8000')];
    const fraud: CompiledBackend = { name: 'fraud-v1', model: 'fraud', version: undefined, endpoints: [a, b] };
    const route = {
      name: 'fraud',
      resilience: { outlierDetection: { consecutive5xx: 2, consecutiveGatewayFailure: 2, baseEjection: 10_000, maxEjection: 60_000, maxEjectionPercent: 50 } },
    } as unknown as RouteConfig;
    let clock = 0;
    const captured = captureLog();
    const { deps: base } = fakeDeps(route, [fraud], () => clock);
    const resilience = new ResilienceState(new ResilienceMetrics(new Registry()), captured.log, new TransitionLog(captured.log, { windowMs: 0, clock: { now: () => clock } }));
    const filter = outlierDetectionFilter.create(route, { ...base, resilience } satisfies FilterDeps)!;
    const served = (origin: string, status: number) => {
      const ctx = fakeContext(fraud);
      return filter(ctx, (): Promise<UpstreamResult> => {
        ctx.endpoint = origin;
        return Promise.resolve({ status, headers: {}, body: null });
      });
    };
    await served(a.origin, 500);
    await served(a.origin, 500);
    clock = 9_999;
    await served(b.origin, 200);
    clock = 12_000;
    await served(a.origin, 200);
    await served(a.origin, 200);
    assert.deepEqual(captured.events('outlier_ejected', 'outlier_returned'), [
      { event: 'outlier_ejected', filter: 'outlier-detection', backend: 'fraud-v1', endpoint: a.origin, reason: 'consecutive5xx', forMs: 10_000, ejectedNow: 1, msg: 'endpoint ejected' },
      { event: 'outlier_returned', filter: 'outlier-detection', backend: 'fraud-v1', endpoint: a.origin, ejectedMs: 12_000, msg: 'ejected endpoint back in rotation' },
    ]);
  });
});
