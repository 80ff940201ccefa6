import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeSchema, type RouteConfig } from '../../../../gateway/config/schema/routes.js';
import { backendRoles } from '../../../../gateway/health/live-traffic.js';
import { readiness } from '../../../../gateway/health/readiness.js';
import type { CompiledGateway, CompiledRoute } from '../../../../gateway/routing/compile.js';
import { compileTarget } from '../../../../gateway/routing/targets.js';
import type { CompiledBackend } from '../../../../gateway/upstream/backend.js';
import type { UpstreamEndpoint } from '../../../../gateway/upstream/endpoint.js';

const endpoint = (healthy: boolean | undefined) => ({ origin: 'http://e', healthy, versionReady: new Map() }) as unknown as UpstreamEndpoint;
const backend = (name: string, healthy: boolean | undefined): CompiledBackend => ({ name, model: undefined, version: undefined, endpoints: [endpoint(healthy)] });

/** A gateway whose routes are compiled by the real target compiler. */
function gateway(routes: unknown[], backends: CompiledBackend[], requireServableRoute = false): CompiledGateway {
  const byName = new Map(backends.map((b) => [b.name, b]));
  const compiled = routes.map((raw) => {
    const config: RouteConfig = routeSchema.parse(raw);
    return { name: config.name, config, target: compileTarget(config, byName, () => 0.5) } as unknown as CompiledRoute;
  });
  return { config: { readiness: { requireServableRoute } }, routes: compiled, backends: byName } as unknown as CompiledGateway;
}

const match = { pathPrefix: '/v2/models/fraud' };
const canary = (weight: number) => ({ name: 'fraud', match, rollout: { strategy: 'canary', stable: 'v1', canary: 'v2', weight } });
const blueGreen = { name: 'ranker', match, rollout: { strategy: 'blueGreen', active: 'blue', preview: 'green' } };

describe('readiness', () => {
  it('is ready with a config, not draining, whatever the backends: a canary at 0 % that is down, a preview that is down, every backend down', () => {
    assert.deepEqual(readiness(gateway([canary(0)], [backend('v1', true), backend('v2', false)]), false),
      { ready: true, reasons: [], backends: { v1: { healthy: 1, total: 1 }, v2: { healthy: 0, total: 1 } } });
    assert.equal(readiness(gateway([blueGreen], [backend('blue', true), backend('green', false)]), false).ready, true);
    assert.equal(readiness(gateway([canary(20)], [backend('v1', false), backend('v2', false)]), false).ready, true);
  });

  it('is not ready without a config or while draining', () => {
    assert.deepEqual(readiness(undefined, false), { ready: false, reasons: ['no config is loaded yet'], backends: {} });
    assert.deepEqual(readiness(gateway([canary(0)], [backend('v1', true), backend('v2', true)]), true).reasons, ['the gateway is shutting down']);
  });

  it('with requireServableRoute, fails only when no route can serve, counting live backends and fallbacks alone', () => {
    const strict = (routes: unknown[], backends: CompiledBackend[]) => readiness(gateway(routes, backends, true), false);
    assert.equal(strict([canary(0)], [backend('v1', true), backend('v2', false)]).ready, true, 'the canary at 0 % takes no traffic');
    const stableDown = strict([canary(0)], [backend('v1', false), backend('v2', true)]);
    assert.equal(stableDown.ready, false, 'a healthy canary at 0 % serves nothing');
    assert.deepEqual(stableDown.reasons,
      ['no route can serve: none has a fallback, and no backend taking live traffic has a healthy endpoint (readiness.requireServableRoute)']);
    assert.equal(strict([canary(100)], [backend('v1', false), backend('v2', true)]).ready, true);
    assert.equal(strict([blueGreen], [backend('blue', false), backend('green', true)]).ready, false, 'an idle preview serves nothing');
    assert.equal(strict([{ ...canary(0), fallback: { static: { body: 'busy' } } }], [backend('v1', false), backend('v2', false)]).ready, true);
    assert.equal(strict([canary(0), blueGreen], [backend('v1', false), backend('v2', false), backend('blue', true), backend('green', false)]).ready, true,
      'one route that can serve is enough');
    assert.equal(strict([canary(50)], [backend('v1', undefined), backend('v2', undefined)]).ready, false, 'an endpoint not probed yet does not count');
  });

  it('says which backends take live traffic: weights above 0, the active colour, experiment control always, never a preview or a shadow', () => {
    const experiment = {
      name: 'ab', match, shadow: { backend: 'v3', percent: 10 },
      experiment: { id: 'x', unit: 'header:x-user', variants: [{ name: 'control', backend: 'v1', weight: 50 }, { name: 'treatment', backend: 'v2', weight: 50 }] },
    };
    const g = gateway([canary(0), blueGreen, experiment], ['v1', 'v2', 'v3', 'blue', 'green'].map((n) => backend(n, true)));
    // Control at 0 % through the admin API still serves requests without a unit.
    g.routes[2]!.target.apply({ fingerprint: '', weights: { control: 0, treatment: 100 }, updatedAt: 0 });
    const roles = g.routes.flatMap((r) => backendRoles(r).map(({ backend: b, role }) => [b, role.route, role.role, role.weight, role.live]));
    assert.deepEqual(roles, [
      ['v1', 'fraud', 'stable', 100, true], ['v2', 'fraud', 'canary', 0, false],
      ['blue', 'ranker', 'active', undefined, true], ['green', 'ranker', 'preview', undefined, false],
      ['v1', 'ab', 'variant:control', 0, true], ['v2', 'ab', 'variant:treatment', 100, true], ['v3', 'ab', 'shadow', undefined, false],
    ]);
    g.routes[1]!.target.apply({ fingerprint: '', active: 'green', updatedAt: 0 });
    assert.deepEqual(backendRoles(g.routes[1]!).map((r) => [r.backend, r.role.role, r.role.live]), [['green', 'active', true], ['blue', 'preview', false]]);
  });
});
