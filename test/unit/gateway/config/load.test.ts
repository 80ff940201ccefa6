import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_BODY_BYTES } from '../../../../gateway/config/defaults.js';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { loadConfig, parseConfig } from '../../../../gateway/config/load.js';
import { stickySeed } from '../../../../gateway/config/schema.js';
import { EXAMPLES, FIXTURES } from './paths.js';

describe('loadConfig', () => {
  it('loads every example in config/ without errors or warnings', async () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.includes('switchyard.yaml'));
    for (const name of files) {
      const result = await loadConfig(path.join(EXAMPLES, name));
      assert.deepEqual(result.ok ? result.warnings : result.errors.map((e) => formatConfigError(e)), [], name);
    }
  });

  it('fills defaults, parses units and resolves paths against the config directory', async () => {
    const result = await loadConfig(path.join(EXAMPLES, 'switchyard.yaml'));
    assert.ok(result.ok);
    const { config } = result;
    assert.deepEqual(config.listeners, {
      http: { host: '0.0.0.0', port: 8080 }, grpc: { host: '0.0.0.0', port: 8081 }, admin: { host: '127.0.0.1', port: 9901 },
    });
    assert.equal(config.limits.maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
    assert.equal(config.pools.cpu?.models, path.resolve(EXAMPLES, '..', 'models'));
    const fraud = config.routes[0]!;
    assert.deepEqual(fraud.rollout, {
      strategy: 'canary', stable: 'fraud-v1', canary: 'fraud-v2', weight: 20, steps: [50, 100], interval: 40_000,
      analysis: { maxErrorRate: 0.05, maxP99Ms: 250, minRequests: 20, failureLimit: 3, maxDisagreement: 0.05, maxInconclusive: 5, mode: 'enforce' },
      golden: { file: 'golden.json', minScore: 0.8 },
    });
    assert.equal(stickySeed(fraud), 'fraud');
    assert.match(result.source.hash, /^[0-9a-f]{64}$/);
  });

  it('normalizes what is case-insensitive or cosmetic', () => {
    const text = `backends:\n  b: { endpoints: [http://10.0.0.1:80], model: m, version: 3 }\nroutes:
  - name: r
    match: { pathPrefix: /v2/, host: API.Example.com, headers: { X-Env: prod } }
    experiment: { id: e, unit: header:X-User, variants: [{ name: control, backend: b, weight: 50 }, { name: t, backend: b, weight: 50 }] }\n`;
    const result = parseConfig(text, 'gw.yaml');
    assert.ok(result.ok);
    const route = result.config.routes[0]!;
    assert.deepEqual(route.match, { pathPrefix: '/v2', host: 'api.example.com', headers: { 'x-env': 'prod' } });
    assert.deepEqual(route.experiment?.unit, { source: 'header', name: 'x-user' });
    assert.equal(result.config.backends.b?.version, '3');
    assert.equal(stickySeed(route), 'e');
  });

  it("ignores top-level 'x-' keys, which hold YAML anchors", () => {
    const text = `x-proxy: &proxy { endpoints: [http://10.0.0.1:80] }
backends:
  b: { <<: *proxy, model: m }
routes:
  - { name: r, match: { pathPrefix: / }, backend: b }
`;
    const result = parseConfig(text, 'gw.yaml');
    assert.ok(result.ok);
    assert.deepEqual(result.config.backends, { b: { endpoints: ['http://10.0.0.1:80'], model: 'm' } });
  });

  it('reports every mistake of a file at once, in file order', async () => {
    const file = path.join(FIXTURES, 'many-mistakes.yaml');
    const result = await loadConfig(file);
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => formatConfigError(e)), [
      `${file}:3:33: listeners.admin.port: port 8080 is already used by listeners.http (0.0.0.0:8080); give each listener its own port, or 0 to pick a free one`,
      `${file}:5:51: pools.cpu.httpPort: is fixed at 8000 but the pool has 2 replicas, which cannot share a port; set httpPort: 0 to let each worker pick a free one`,
      `${file}:8:21: backends.fraud-v2.pool: pool 'gpu' is not defined; did you mean 'cpu'? (defined pools: cpu)`,
      `${file}:9:3: backends.iris-v1: uses pool 'cpu' but names no 'model'; add the model's name from the pool's repository`,
      `${file}:10:25: backends.legacy.endpoints[0]: expected an http:// or https:// URL; found the scheme 'ftp' in 'ftp://10.0.0.5'`,
      `${file}:10:41: backends.legacy.endpoints[1]: 'http://10.0.0.6:9000/api' has a path, query or fragment; give only scheme://host:port (the request's path is forwarded as is)`,
      `${file}:11:3: backends.both: has both 'pool' and 'endpoints'; a backend is either a pool of workers or a list of endpoints, so keep one`,
      `${file}:15:60: routes[0].rollout.canary: backend 'fraud-v3' is not defined; defined backends: fraud-v1, fraud-v2, iris-v1, legacy, both`,
      `${file}:15:85: routes[0].rollout.steps[2]: must be greater than the step before it (50); steps only go up, e.g. [5, 25, 50, 100]; found 25`,
      `${file}:16:11: routes[1].name: route name 'fraud' is already used by routes[0]; route names must be unique`,
      `${file}:22:5: routes[2].rollout: route 'iris' has both 'backend' and 'rollout'; a route has exactly one of 'backend', 'rollout' or 'experiment'`,
      `${file}:22:63: routes[2].rollout.preview: is the same backend as active ('iris-v1'); a blue-green switch needs two different backends`,
      `${file}:25:11: routes[3].seed: is set on a route with an experiment; set experiment.seed instead, so the outcomes API hashes units the same way`,
      `${file}:29:7: routes[3].experiment.variants: has no variant named 'control'; name the baseline variant 'control' (found: treatment, treatment)`,
      `${file}:29:7: routes[3].experiment.variants: variant weights add up to 90; they are percentages and must add up to 100`,
      `${file}:31:19: routes[3].experiment.variants[1].name: variant 'treatment' appears twice; variant names must be unique`,
      `${file}:32:62: routes[3].experiment.metrics[1].name: metric 'clicked' appears twice; metric names must be unique`,
      `${file}:33:5: routes[4]: route 'empty' has no target; add exactly one of 'backend', 'rollout' or 'experiment'`,
    ]);
    assert.deepEqual(result.warnings.map((w) => formatConfigError(w, 'warning')), [
      `${file}:3:18: warning: listeners.admin.host: the admin API listens on 0.0.0.0, not loopback; anyone who can reach it can promote, abort and switch rollouts, so keep it behind a firewall or use 127.0.0.1`,
      `${file}:17:5: warning: routes[1].match: route 'fraud' can never match: routes[0] ('fraud', pathPrefix /v2/models/fraud) comes first and takes every request it would; move 'fraud' above it or narrow 'fraud'`,
    ]);
  });

  it('says so when the file cannot be read', async () => {
    const file = path.join(FIXTURES, 'does-not-exist.yaml');
    const result = await loadConfig(file);
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => formatConfigError(e)), [`${file}:1:1: cannot read the config file: the file does not exist`]);
  });
});
