import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';

const base = (route: string, extra = '') => `backends:
  b: { endpoints: [http://10.0.0.1:80], model: m, maxInFlight: 100 }
  c: { endpoints: [http://10.0.0.2:80] }
${extra}routes:
  - name: r
    match: { pathPrefix: /v2/models/m }
    backend: b
${route}`;

describe('resilience and fallback config', () => {
  it('fills every default of an empty block, in milliseconds and bytes', () => {
    const result = parseConfig(base(`    resilience: { retries: {}, circuitBreaker: {}, outlierDetection: {}, priority: {} }
    fallback: { cache: {}, static: { body: { outputs: [] } } }
`), 'gw.yaml');
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    const route = result.config.routes[0]!;
    assert.deepEqual(route.resilience, {
      timeouts: { connect: 1_000, perTry: 5_000, total: 15_000 },
      retries: { attempts: 2, retryOn: [502, 503, 504], budgetPercent: 20, minRetryConcurrency: 3, backoff: 25 },
      circuitBreaker: { consecutiveFailures: 5, failureRate: 0.5, minRequests: 20, window: 10_000, openFor: 5_000, maxOpenFor: 60_000, mode: 'enforce' },
      outlierDetection: { consecutive5xx: 5, consecutiveGatewayFailure: 5, baseEjection: 30_000, maxEjection: 300_000, maxEjectionPercent: 50 },
      priority: { header: 'x-switchyard-priority', default: 'normal' },
    });
    assert.deepEqual(route.fallback, {
      cache: { ttl: 600_000, maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, mode: 'onFailure' },
      static: { status: 200, body: { outputs: [] }, headers: {} },
    });
    assert.equal(result.config.backends.b!.maxInFlight, 100);
    assert.deepEqual(
      [result.config.limits.clientHeaderTimeout, result.config.limits.clientBodyTimeout, result.config.limits.maxClientConnections],
      [10_000, 30_000, 10_000],
    );
  });

  it('reports shape mistakes with where they are and what was expected', () => {
    const result = parseConfig(base(`    resilience:
      timeouts: { perTry: 2 }
      retries: { retryOn: [404] }
      circuitBreaker: { mode: enforced, failureRate: 50 }
      maxInFlight: 0
    fallback: { cache: { mode: sometimes } }
`), 'gw.yaml');
    assert.ok(!result.ok);
    assert.deepEqual(result.errors.map((e) => formatConfigError(e)), [
      "gw.yaml:9:27: routes[0].resilience.timeouts.perTry: expected a duration such as '500ms', '30s', '10m' or '1h'; found 2 without a unit (write '2ms' or '2s')",
      'gw.yaml:10:28: routes[0].resilience.retries.retryOn[0]: expected an HTTP status from 500 to 599; found 404',
      "gw.yaml:11:31: routes[0].resilience.circuitBreaker.mode: expected 'enforce' or 'observe'; found 'enforced'",
      'gw.yaml:11:54: routes[0].resilience.circuitBreaker.failureRate: expected a fraction from 0 to 1, such as 0.5 for 50%; found 50, which reads like a percentage: this field is a fraction, so write 0.5 for 50 %',
      'gw.yaml:12:20: routes[0].resilience.maxInFlight: expected a whole number of requests, 1 or more; found 0',
      "gw.yaml:13:32: routes[0].fallback.cache.mode: expected 'onFailure' or 'always'; found 'sometimes'",
    ]);
  });

  it('checks the fields against each other', () => {
    const result = parseConfig(base(`    resilience:
      timeouts: { connect: 3s, perTry: 2s, total: 1s }
      circuitBreaker: { openFor: 1m, maxOpenFor: 10s }
      outlierDetection: { baseEjection: 1m, maxEjection: 30s }
  - name: r2
    match: { pathPrefix: /other }
    backend: b
    resilience: { circuitBreaker: { consecutiveFailures: 9 } }
  - name: plain
    match: { pathPrefix: /plain }
    backend: c
    fallback: { cache: {} }
`), 'gw.yaml');
    assert.ok(!result.ok);
    assert.deepEqual(result.errors.map((e) => formatConfigError(e)), [
      "gw.yaml:10:50: routes[0].resilience.circuitBreaker.maxOpenFor: maxOpenFor (10000ms) is shorter than openFor (60000ms); raise maxOpenFor to at least openFor",
      "gw.yaml:11:58: routes[0].resilience.outlierDetection.maxEjection: maxEjection (30000ms) is shorter than baseEjection (60000ms); raise maxEjection to at least baseEjection",
    ]);
    assert.deepEqual(result.warnings.map((e) => formatConfigError(e, 'warning')), [
      'gw.yaml:9:28: warning: routes[0].resilience.timeouts.connect: connect (3000ms) is longer than perTry (2000ms); the try ends first, so connect has no effect',
      'gw.yaml:9:40: warning: routes[0].resilience.timeouts.perTry: perTry (2000ms) is longer than total (1000ms); the total ends every try first, so perTry has no effect',
      "gw.yaml:15:19: warning: routes[1].resilience.circuitBreaker: backend 'b' already has a circuit breaker configured by routes[0] with other settings; there is one breaker per backend and the first route's settings apply",
      "gw.yaml:19:17: warning: routes[2].fallback.cache: route 'plain' only has plain (non-model) backends; the fallback cache keeps inference answers only, so it will stay empty",
    ]);
  });
});
