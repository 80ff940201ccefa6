import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';

/** Every message, exactly as `switchyard config check` prints it. */
function check(text: string): { errors: string[]; warnings: string[] } {
  const result = parseConfig(text, 'gw.yaml', { baseDir: '/etc/switchyard', fileExists: () => false });
  return {
    errors: result.ok ? [] : result.errors.map((e) => formatConfigError(e)),
    warnings: result.warnings.map((w) => formatConfigError(w, 'warning')),
  };
}

const BASE = `backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  fraud-v2: { pool: cpu, model: fraud, version: "2" }
pools:
  cpu: { models: ./models }
`;
const ROUTE = `routes:\n  - { name: r, match: { pathPrefix: / }, backend: fraud-v1 }\n`;

describe('config error messages', () => {
  it('reports a YAML syntax error at its line and column', () => {
    assert.deepEqual(check(`backends:\n  a: { endpoints: [http://x:1 }\nroutes: []\n`).errors, [
      'gw.yaml:2:31: YAML syntax error: flow sequence in block collection must be sufficiently indented and end with a ]',
      'gw.yaml:2:32: YAML syntax error: flow map in block collection must be sufficiently indented and end with a }',
    ]);
  });

  it('reports a duplicate key and tab indentation', () => {
    assert.deepEqual(check(`backends:\n  a: { endpoints: [http://10.0.0.1:80] }\n  a: { endpoints: [http://10.0.0.2:80] }\n`).errors, [
      "gw.yaml:3:3: key 'a' appears twice in the same mapping; YAML keeps only one, so remove or rename the other",
    ]);
    assert.deepEqual(check(`backends:\n\ta: 1\n`).errors, ['gw.yaml:2:1: a tab is used for indentation; YAML indents with spaces only']);
  });

  it('reports an alias to an anchor that does not exist, at the alias', () => {
    assert.deepEqual(check(`backends:\n  a: *defaults\n`).errors, [
      'gw.yaml:2:6: YAML error: unresolved alias (the anchor must be set before the alias): defaults',
    ]);
  });

  it('places a key with no value at the key', () => {
    assert.deepEqual(check(`backends:\n${ROUTE}`).errors, [
      'gw.yaml:1:1: backends: expected a mapping of backend name to backend; found an empty value',
    ]);
  });

  it('reports an empty file and a missing section', () => {
    assert.deepEqual(check('').errors, ["gw.yaml:1:1: the file is empty; a config is a mapping with at least 'backends' and 'routes'"]);
    assert.deepEqual(check(BASE).errors, ['gw.yaml:1:1: routes: is required; expected a list of routes']);
  });

  it('reports unknown keys at the key, with a suggestion when one is close', () => {
    assert.deepEqual(check(`${BASE}routes:\n  - name: r\n    match: { pathprefix: / }\n    backend: fraud-v1\n    mirror: { backend: fraud-v2 }\n`).errors, [
      "gw.yaml:8:14: routes[0].match.pathprefix: unknown key 'pathprefix'; did you mean 'pathPrefix'?",
      "gw.yaml:10:5: routes[0].mirror: unknown key 'mirror'; expected one of: name, match, backend, rollout, experiment, seed, resilience, fallback, shadow",
    ]);
  });

  it('names the expected type, and units for durations and sizes', () => {
    const text = `${BASE}listeners:\n  http: { port: "80a" }\nlimits: { maxBodyBytes: 4 megs }\nroutes:\n  - name: r\n    match: { pathPrefix: / }\n    rollout: { strategy: canary, stable: fraud-v1, canary: fraud-v2, interval: 30 }\n`;
    assert.deepEqual(check(text).errors, [
      "gw.yaml:7:17: listeners.http.port: expected a port number from 0 to 65535; found '80a'",
      "gw.yaml:8:25: limits.maxBodyBytes: expected a size in bytes or with a unit, such as 4194304, '4MiB' or '512KiB'; found '4 megs'",
      "gw.yaml:12:80: routes[0].rollout.interval: expected a duration such as '500ms', '30s', '10m' or '1h'; found 30 without a unit (write '30ms' or '30s')",
    ]);
  });

  it('reports a misspelt rollout strategy with the choices', () => {
    const text = `${BASE}routes:\n  - { name: r, match: { pathPrefix: / }, rollout: { strategy: canry, stable: fraud-v1 } }\n`;
    assert.deepEqual(check(text).errors, ["gw.yaml:7:63: routes[0].rollout.strategy: expected strategy 'canary' or 'blueGreen'; found 'canry'"]);
  });

  it('reports backends that are not defined, listing the defined ones', () => {
    const text = `${BASE}routes:\n  - name: fraud\n    match: { pathPrefix: /v2/models/fraud }\n    rollout: { strategy: canary, stable: fruad-v1, canary: fraud-v3 }\n`;
    assert.deepEqual(check(text).errors, [
      "gw.yaml:9:42: routes[0].rollout.stable: backend 'fruad-v1' is not defined; did you mean 'fraud-v1'? (defined backends: fraud-v1, fraud-v2)",
      "gw.yaml:9:60: routes[0].rollout.canary: backend 'fraud-v3' is not defined; defined backends: fraud-v1, fraud-v2",
    ]);
  });

  it('requires exactly one target per route', () => {
    const text = `${BASE}routes:\n  - name: r\n    match: { pathPrefix: / }\n    backend: fraud-v1\n    rollout: { strategy: blueGreen, active: fraud-v1, preview: fraud-v2 }\n  - { name: s, match: { pathPrefix: /s } }\n`;
    assert.deepEqual(check(text).errors, [
      "gw.yaml:10:5: routes[0].rollout: route 'r' has both 'backend' and 'rollout'; a route has exactly one of 'backend', 'rollout' or 'experiment'",
      "gw.yaml:11:5: routes[1]: route 's' has no target; add exactly one of 'backend', 'rollout' or 'experiment'",
    ]);
  });

  it('checks canary backends and steps', () => {
    const text = `${BASE}routes:\n  - { name: r, match: { pathPrefix: / }, rollout: { strategy: canary, stable: fraud-v1, canary: fraud-v1, steps: [10, 50] } }\n  - { name: s, match: { pathPrefix: /s }, rollout: { strategy: canary, stable: fraud-v1, canary: fraud-v2, steps: [10, 5, 100] } }\n`;
    assert.deepEqual(check(text).errors, [
      "gw.yaml:7:97: routes[0].rollout.canary: is the same backend as stable ('fraud-v1'); a canary needs a different backend to move traffic to",
      'gw.yaml:7:119: routes[0].rollout.steps[1]: the last step is 50; steps end at 100 so that a healthy canary is fully promoted',
      'gw.yaml:8:120: routes[1].rollout.steps[1]: must be greater than the step before it (10); steps only go up, e.g. [5, 25, 50, 100]; found 5',
    ]);
  });

  it('checks experiment variants, unit and metrics', () => {
    const text = `${BASE}routes:
  - name: ab
    match: { pathPrefix: /ab }
    experiment:
      id: ab-1
      unit: header:x-user-id
      variants:
        - { name: a, backend: fraud-v1, weight: 60 }
        - { name: a, backend: fraud-v2, weight: 30 }
      metrics: [{ name: clicked, kind: proportion }, { name: clicked, kind: mean }]
  - { name: cd, match: { pathPrefix: /cd }, experiment: { id: cd, unit: "query:u", variants: [] } }
`;
    assert.deepEqual(check(text).errors, [
      "gw.yaml:16:73: routes[1].experiment.unit: expected 'header:NAME' or 'cookie:NAME', naming where the user id is read from; found 'query:u'",
    ]);
    assert.deepEqual(check(text.replace('"query:u"', 'cookie:u')).errors, [
      "gw.yaml:12:7: routes[0].experiment.variants: has no variant named 'control'; name the baseline variant 'control' (found: a, a)",
      "gw.yaml:12:7: routes[0].experiment.variants: variant weights add up to 90; they are percentages and must add up to 100",
      "gw.yaml:14:19: routes[0].experiment.variants[1].name: variant 'a' appears twice; variant names must be unique",
      "gw.yaml:15:62: routes[0].experiment.metrics[1].name: metric 'clicked' appears twice; metric names must be unique",
      "gw.yaml:16:83: routes[1].experiment.variants: has 0 variant(s); an experiment needs 'control' and at least one other variant",
    ]);
  });

  it('checks the statistics settings of an experiment: fractions, goal, missing, a primary metric that exists', () => {
    const text = `${BASE}routes:
  - name: ab
    match: { pathPrefix: /ab }
    experiment:
      id: ab-1
      unit: header:x-user-id
      variants: [{ name: control, backend: fraud-v1, weight: 50 }, { name: t, backend: fraud-v2, weight: 50 }]
      metrics: [{ name: clicked, kind: proportion, goal: up }, { name: rating, kind: mean, missing: drop }]
      alpha: 5
      primaryMetric: revenue
`;
    assert.deepEqual(check(text).errors, [
      "gw.yaml:13:58: routes[0].experiment.metrics[0].goal: expected 'increase' or 'decrease'; found 'up'",
      "gw.yaml:13:101: routes[0].experiment.metrics[1].missing: expected 'zero' or 'exclude'; found 'drop'",
      'gw.yaml:14:14: routes[0].experiment.alpha: expected a fraction between 0 and 1, such as 0.05 for 5%; found 5, which reads like a percentage: this field is a fraction, so write 0.05 for 5 %',
    ]);
    const shapeOk = text.replace('goal: up', 'goal: decrease').replace('missing: drop', 'missing: exclude').replace('alpha: 5', 'alpha: 0.01');
    assert.deepEqual(check(shapeOk).errors, [
      "gw.yaml:15:22: routes[0].experiment.primaryMetric: names metric 'revenue', which the experiment does not declare (metrics: clicked, rating)",
    ]);
  });

  it('checks backends: pool or endpoints, model, URLs, pools that exist', () => {
    const text = `backends:
  legacy: { endpoints: [not a url, "http://10.0.0.5:9000/api"] }
  nothing: {}
  both: { pool: cpu, endpoints: [http://10.0.0.6:80], model: m }
  gpu: { pool: gpu1, model: m }
  nomodel: { pool: cpu }
pools:
  cpu: { models: m }
${ROUTE.replace('fraud-v1', 'legacy')}`;
    assert.deepEqual(check(text).errors, [
      "gw.yaml:2:25: backends.legacy.endpoints[0]: expected an http:// or https:// URL such as 'http://10.0.0.5:9000'; found 'not a url'",
      "gw.yaml:2:36: backends.legacy.endpoints[1]: 'http://10.0.0.5:9000/api' has a path, query or fragment; give only scheme://host:port (the request's path is forwarded as is)",
      "gw.yaml:3:3: backends.nothing: has neither 'pool' nor 'endpoints'; say where its traffic goes, e.g. { pool: cpu, model: nothing } or { endpoints: [http://10.0.0.5:9000] }",
      "gw.yaml:4:3: backends.both: has both 'pool' and 'endpoints'; a backend is either a pool of workers or a list of endpoints, so keep one",
      "gw.yaml:5:16: backends.gpu.pool: pool 'gpu1' is not defined; defined pools: cpu",
      "gw.yaml:6:3: backends.nomodel: uses pool 'cpu' but names no 'model'; add the model's name from the pool's repository",
    ]);
  });

  it('checks TLS files (relative to the config directory) and port clashes', () => {
    const text = `${BASE}listeners:\n  http: { port: 8443, tls: { cert: tls/cert.pem, key: /secrets/key.pem } }\n  grpc: { port: 8443 }\n${ROUTE}`;
    assert.deepEqual(check(text).errors, [
      "gw.yaml:7:36: listeners.http.tls.cert: file '/etc/switchyard/tls/cert.pem' does not exist or is not a regular file (relative paths resolve against the config file's directory, /etc/switchyard)",
      "gw.yaml:7:55: listeners.http.tls.key: file '/secrets/key.pem' does not exist or is not a regular file",
      'gw.yaml:8:17: listeners.grpc.port: port 8443 is already used by listeners.http (0.0.0.0:8443); give each listener its own port, or 0 to pick a free one',
    ]);
  });

  it('warns about a route an earlier route shadows, and loads anyway', () => {
    const text = `${BASE}routes:
  - { name: all-fraud, match: { pathPrefix: /v2/models/fraud }, backend: fraud-v1 }
  - { name: fraud-infer, match: { pathPrefix: /v2/models/fraud/infer, headers: { x-env: prod } }, backend: fraud-v2 }
  - { name: fraudster, match: { pathPrefix: /v2/models/fraudster }, backend: fraud-v2 }
`;
    assert.deepEqual(check(text), {
      errors: [],
      warnings: [
        "gw.yaml:8:26: warning: routes[1].match: route 'fraud-infer' can never match: routes[0] ('all-fraud', pathPrefix /v2/models/fraud) comes first and takes every request it would; move 'fraud-infer' above it or narrow 'all-fraud'",
      ],
    });
  });
});
