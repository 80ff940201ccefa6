import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../../../gateway/config/load.js';
import type { GatewayConfig, RouteConfig } from '../../../../../gateway/config/schema.js';
import type { ExposureRecorder } from '../../../../../gateway/experiments/exposure.js';
import { exposureFilter } from '../../../../../gateway/filters/exposure/filter.js';
import { rolloutMeasureFilter } from '../../../../../gateway/filters/rollout-measure/filter.js';
import { targetFilter } from '../../../../../gateway/filters/target/filter.js';
import { RequestContext } from '../../../../../gateway/pipeline/context.js';
import type { Filter, FilterDeps, Next } from '../../../../../gateway/pipeline/filter.js';
import { IntervalMeter } from '../../../../../gateway/rollout/meter.js';
import { compileTarget } from '../../../../../gateway/routing/targets.js';
import type { CompiledBackend } from '../../../../../gateway/upstream/backend.js';
import { silentLogger } from '../../../../../observability/logger.js';
import { SwitchyardError } from '../../../../../protocol/errors.js';

const YAML = `
backends:
  v1: { endpoints: [http://127.0.0.1:9001], model: fraud, version: "1" }
  v2: { endpoints: [http://127.0.0.1:9002], model: fraud, version: "2" }
routes:
  - name: canary
    match: { pathPrefix: /v2/models/fraud, headers: { x-canary: "1" } }
    rollout: { strategy: canary, stable: v1, canary: v2, weight: 0, steps: [50, 100] }
  - name: ab
    match: { pathPrefix: /v2/models/fraud }
    experiment:
      id: ab
      unit: header:x-user
      variants: [{ name: control, backend: v1, weight: 99.99 }, { name: treatment, backend: v2, weight: 0.01 }]
`;

const loaded = parseConfig(YAML, 'test.yaml', { fileExists: () => true });
assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
const config: GatewayConfig = loaded.config;
const backends = new Map<string, CompiledBackend>(['v1', 'v2'].map((n) => [n, { name: n, model: 'fraud', version: n.slice(1), endpoints: [] }]));
const route = (name: string): RouteConfig => config.routes.find((r) => r.name === name)!;

function depsFor(r: RouteConfig, extra: Partial<FilterDeps> = {}): FilterDeps {
  return {
    config, backends, routeBackends: [...backends.values()], target: compileTarget(r, backends, () => 0.5),
    log: silentLogger(), now: () => 0, random: () => 0.5, ...extra,
  };
}

function context(path: string, headers: Record<string, string> = {}): RequestContext {
  const req = { headers, method: 'POST', destroyed: false, complete: true, socket: { destroyed: false } } as unknown as IncomingMessage;
  return new RequestContext(req, { name: 'r' }, 'id', path, '', 'http', 0);
}

const answer: Next = () => Promise.resolve({ status: 200, headers: {}, body: null });

/** Runs filters outermost first around `answer`. */
function chain(filters: readonly Filter[]): Next {
  return filters.reduceRight<Next>((next, filter) => (ctx) => filter(ctx, next), answer);
}

describe('the target step and a named model version', () => {
  it('sends a named version to its backend, outside the split, and marks the request', async () => {
    const target = targetFilter.create(route('canary'), depsFor(route('canary')))!;
    const named = context('/v2/models/fraud/versions/2/infer');
    await target(named, answer);
    assert.equal(named.assignment?.backend.name, 'v2', 'the canary at 0 % still serves its version when asked for it');
    assert.equal(named.routedByVersion, true);
    const unnamed = context('/v2/models/fraud/infer');
    await target(unnamed, answer);
    assert.equal(unnamed.assignment?.backend.name, 'v1');
    assert.equal(unnamed.routedByVersion, false);
  });

  it('refuses a version the route does not serve, before anything is assigned', async () => {
    const target = targetFilter.create(route('canary'), depsFor(route('canary')))!;
    const ctx = context('/v2/models/fraud/versions/99/ready');
    await assert.rejects(target(ctx, answer), (err: unknown) => err instanceof SwitchyardError && err.code === 'MODEL_VERSION_NOT_ROUTED' && err.status === 404);
    assert.equal(ctx.assignment, undefined);
  });

  it('keeps named-version requests out of the rollout measurements', async () => {
    const meter = new IntervalMeter();
    const deps = depsFor(route('canary'), { meter });
    const run = chain([targetFilter.create(route('canary'), deps)!, rolloutMeasureFilter.create(route('canary'), deps)!]);
    await run(context('/v2/models/fraud/versions/2/infer'));
    await run(context('/v2/models/fraud/versions/1/infer'));
    assert.deepEqual([...meter.take('canary').keys()], []);
    await run(context('/v2/models/fraud/infer'));
    const taken = meter.take('canary');
    assert.deepEqual([...taken.keys()], ['v1']);
    assert.equal(taken.get('v1')!.verdicts.success, 1);
  });

  it('counts no experiment exposure for a named-version request', async () => {
    const recorded: string[] = [];
    const exposures = { record: (id: string, variant: string, unit: string) => recorded.push(`${id}/${variant}/${unit}`) } as unknown as ExposureRecorder;
    const deps = depsFor(route('ab'), { exposures });
    const run = chain([targetFilter.create(route('ab'), deps)!, exposureFilter.create(route('ab'), deps)!]);
    const named = context('/v2/models/fraud/versions/2/infer', { 'x-user': 'u1' });
    await run(named);
    assert.equal(named.assignment?.variant, 'treatment');
    assert.deepEqual(recorded, []);
    await run(context('/v2/models/fraud/infer', { 'x-user': 'u1' }));
    assert.deepEqual(recorded, ['ab/control/u1']);
  });
});
