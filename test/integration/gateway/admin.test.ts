import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson } from '../../helpers/http.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';

function configYaml(blue: string, green: string, canaryWeight: number): string {
  return `
backends:
  blue: { endpoints: [${blue}] }
  green: { endpoints: [${green}] }
routes:
  - name: canary
    match: { pathPrefix: /canary }
    rollout: { strategy: canary, stable: blue, canary: green, weight: ${canaryWeight} }
  - name: bg
    match: { pathPrefix: /bg }
    rollout: { strategy: blueGreen, active: blue, preview: green }
  - name: ab
    match: { pathPrefix: /ab }
    experiment:
      id: ab-1
      unit: cookie:uid
      variants: [{ name: control, backend: blue, weight: 50 }, { name: treatment, backend: green, weight: 50 }]
  - name: plain
    match: { pathPrefix: /plain }
    backend: blue
`;
}

/** Backends that served `n` requests to `path`, each with a different unit. */
async function backendsServing(base: string, path: string, n: number, headers: (i: number) => Record<string, string> = () => ({})): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}${path}`, { headers: headers(i) });
    await res.arrayBuffer();
    seen.add(res.headers.get('x-switchyard-backend') ?? `status ${res.status}`);
  }
  return seen;
}

describe('admin API', () => {
  let blue: EchoUpstream;
  let green: EchoUpstream;
  let gw: TestGateway;

  before(async () => {
    blue = await startEchoUpstream('blue');
    green = await startEchoUpstream('green');
    gw = await startTestGateway(configYaml(blue.url, green.url, 10));
  });
  after(async () => {
    await gw.stop();
    await Promise.all([blue.close(), green.close()]);
  });

  it('lists routes with their target kind and live weights', async () => {
    const res = await getJson(`${gw.adminUrl}/admin/routes`);
    assert.equal(res.status, 200);
    const routes = (res.body as { routes: { name: string; target: unknown }[] }).routes;
    assert.deepEqual(routes.map((r) => [r.name, r.target]), [
      ['canary', { kind: 'canary', stable: 'blue', canary: 'green', weights: { stable: 90, canary: 10 }, overridden: false }],
      ['bg', { kind: 'blueGreen', active: 'blue', preview: 'green', overridden: false }],
      ['ab', { kind: 'experiment', id: 'ab-1', weights: { control: 50, treatment: 50 }, overridden: false }],
      ['plain', { kind: 'backend', backend: 'blue' }],
    ]);
  });

  it('sets canary weights that apply at once, and validates them', async () => {
    const set = await postJson(`${gw.adminUrl}/admin/routes/canary/weights`, { canary: 100 });
    assert.equal(set.status, 200);
    assert.deepEqual((set.body as { target: unknown }).target, { kind: 'canary', stable: 'blue', canary: 'green', weights: { stable: 0, canary: 100 }, overridden: true });
    assert.deepEqual(await backendsServing(gw.url, '/canary', 20), new Set(['green']));
    await postJson(`${gw.adminUrl}/admin/routes/canary/weights`, { canary: 0 });
    assert.deepEqual(await backendsServing(gw.url, '/canary', 20), new Set(['blue']));

    const bad = await postJson(`${gw.adminUrl}/admin/routes/canary/weights`, { canary: 150 });
    assert.deepEqual([bad.status, bad.body], [400, { error: 'canary: expected a percentage from 0 to 100, as in {"canary": 30}; found 150', code: 'INVALID_REQUEST' }]);
    const notJson = await postJson(`${gw.adminUrl}/admin/routes/canary/weights`, '{nope');
    assert.equal(notJson.status, 400);
    assert.equal((notJson.body as { code: string }).code, 'INVALID_JSON');
    const wrongKind = await postJson(`${gw.adminUrl}/admin/routes/plain/weights`, { canary: 5 });
    assert.deepEqual([wrongKind.status, wrongKind.body], [409, {
      error: "route 'plain' has a backend target, which has no weights; weights apply to canary and experiment routes", code: 'TARGET_MISMATCH',
    }]);
    const unknown = await postJson(`${gw.adminUrl}/admin/routes/nope/weights`, { canary: 5 });
    assert.deepEqual([unknown.status, unknown.body], [404, { error: "no route named 'nope'; routes: canary, bg, ab, plain", code: 'ROUTE_NOT_FOUND' }]);
  });

  it('refuses changes not sent as JSON, so a browser on another site cannot make them', async () => {
    const weightsNow = async () => ((await getJson(`${gw.adminUrl}/admin/routes`)).body as { routes: { name: string; target: { weights?: unknown } }[] }).routes.find((r) => r.name === 'canary')!.target.weights;
    const before = await weightsNow();
    const form = await fetch(`${gw.adminUrl}/admin/routes/canary/weights`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"canary":100}' });
    assert.equal(form.status, 415);
    assert.deepEqual(await form.json(), { error: "admin changes must be sent with content-type: application/json; received 'text/plain'", code: 'UNSUPPORTED_MEDIA_TYPE' });
    const bare = await fetch(`${gw.adminUrl}/admin/routes/canary/switch`, { method: 'POST' });
    assert.equal(bare.status, 415);
    assert.deepEqual(await weightsNow(), before);
  });

  it('sets experiment weights by variant, and validates them', async () => {
    const missing = await postJson(`${gw.adminUrl}/admin/routes/ab/weights`, { weights: { control: 100 } });
    assert.deepEqual([missing.status, missing.body], [400, { error: 'weights.treatment: expected a percentage from 0 to 100; found nothing', code: 'INVALID_REQUEST' }]);
    const sum = await postJson(`${gw.adminUrl}/admin/routes/ab/weights`, { weights: { control: 60, treatment: 30 } });
    assert.deepEqual([sum.status, sum.body], [400, { error: 'weights add up to 90; they are percentages and must add up to 100', code: 'INVALID_REQUEST' }]);
    const extra = await postJson(`${gw.adminUrl}/admin/routes/ab/weights`, { weights: { control: 50, treatment: 40, other: 10 } });
    assert.deepEqual([extra.status, extra.body], [400, { error: "weights: unknown variant 'other'; the variants are control, treatment", code: 'INVALID_REQUEST' }]);

    const set = await postJson(`${gw.adminUrl}/admin/routes/ab/weights`, { weights: { control: 0, treatment: 100 } });
    assert.equal(set.status, 200);
    assert.deepEqual(await backendsServing(gw.url, '/ab', 10, (i) => ({ cookie: `theme=dark; uid=user-${i}` })), new Set(['green']));
    // Without the unit cookie: control, whatever the weights.
    assert.deepEqual(await backendsServing(gw.url, '/ab', 3), new Set(['blue']));
  });

  it('switches a blue-green route and back; the preview header reaches the other colour', async () => {
    assert.deepEqual(await backendsServing(gw.url, '/bg', 3), new Set(['blue']));
    assert.deepEqual(await backendsServing(gw.url, '/bg', 3, () => ({ 'x-switchyard-preview': '1' })), new Set(['green']));
    const switched = await postJson(`${gw.adminUrl}/admin/routes/bg/switch`, {});
    assert.deepEqual((switched.body as { target: unknown }).target, { kind: 'blueGreen', active: 'green', preview: 'blue', overridden: true });
    assert.deepEqual(await backendsServing(gw.url, '/bg', 3), new Set(['green']));
    assert.deepEqual(await backendsServing(gw.url, '/bg', 3, () => ({ 'x-switchyard-preview': '1' })), new Set(['blue']));
    const back = await postJson(`${gw.adminUrl}/admin/routes/bg/switch`, {});
    assert.deepEqual((back.body as { target: unknown }).target, { kind: 'blueGreen', active: 'blue', preview: 'green', overridden: false });
    const wrong = await postJson(`${gw.adminUrl}/admin/routes/canary/switch`, {});
    assert.deepEqual([wrong.status, (wrong.body as { code: string }).code], [409, 'TARGET_MISMATCH']);
  });

  it('keeps an override across a reload that leaves the target alone, and resets it when the target changes', async () => {
    await postJson(`${gw.adminUrl}/admin/routes/canary/weights`, { canary: 40 });
    await gw.rewrite(`${configYaml(blue.url, green.url, 10)}\n# a comment changes the hash, not the target\n`);
    const kept = (await getJson(`${gw.adminUrl}/admin/routes`)).body as { routes: { name: string; target: { weights?: unknown } }[] };
    assert.deepEqual(kept.routes[0]!.target.weights, { stable: 60, canary: 40 });
    await gw.rewrite(configYaml(blue.url, green.url, 20));
    const reset = (await getJson(`${gw.adminUrl}/admin/routes`)).body as { routes: { name: string; target: { weights?: unknown; overridden?: boolean } }[] };
    assert.deepEqual(reset.routes[0]!.target, { kind: 'canary', stable: 'blue', canary: 'green', weights: { stable: 80, canary: 20 }, overridden: false });
  });

  it('shows the config in effect, and refuses a bad file with file:line:col errors while the old config serves', async () => {
    const config = (await getJson(`${gw.adminUrl}/admin/config`)).body as { file: string; hash: string; loadedAt: string; config: { routes: unknown[] } };
    assert.equal(config.file, gw.configPath);
    assert.match(config.hash, /^[0-9a-f]{64}$/);
    assert.ok(!Number.isNaN(Date.parse(config.loadedAt)));
    assert.equal(config.config.routes.length, 4);

    await gw.rewrite(configYaml(blue.url, green.url, 20).replace('backend: blue\n', 'backend: bleu\n'));
    const errors = (await getJson(`${gw.adminUrl}/admin/config/errors`)).body as { errors: { file: string; line: number; column: number; path: string; message: string }[] };
    assert.equal(errors.errors.length, 1);
    assert.deepEqual({ ...errors.errors[0], message: undefined }, { file: gw.configPath, line: 20, column: 14, path: 'routes[3].backend', message: undefined });
    assert.match(errors.errors[0]!.message, /backend 'bleu' is not defined/);
    assert.deepEqual(await backendsServing(gw.url, '/plain', 2), new Set(['blue']));
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    assert.match(metrics, /switchyard_config_reloads_total\{result="failure"\} 1\n/);
    assert.match(metrics, /switchyard_config_reloads_total\{result="success"\} 2\n/);
    assert.match(metrics, /switchyard_config_last_reload_success_timestamp_seconds \d+/);
  });
});

describe('admin API authentication', () => {
  it('requires the bearer token on /admin/ when one is set, and leaves /metrics and probes open', async () => {
    const upstream = await startEchoUpstream('u');
    const gw = await startTestGateway(`backends: { u: { endpoints: [${upstream.url}] } }\nroutes: [{ name: r, match: { pathPrefix: / }, backend: u }]\n`, { adminToken: 's3cret' });
    try {
      const none = await getJson(`${gw.adminUrl}/admin/routes`);
      assert.deepEqual([none.status, none.body], [401, { error: 'missing or wrong admin token; send Authorization: Bearer <SWITCHYARD_ADMIN_TOKEN>', code: 'UNAUTHORIZED' }]);
      const wrong = await fetch(`${gw.adminUrl}/admin/routes`, { headers: { authorization: 'Bearer s3cre' } });
      assert.equal(wrong.status, 401);
      const right = await fetch(`${gw.adminUrl}/admin/routes`, { headers: { authorization: 'Bearer s3cret' } });
      assert.equal(right.status, 200);
      assert.equal((await fetch(`${gw.adminUrl}/metrics`)).status, 200);
      assert.equal((await fetch(`${gw.adminUrl}/healthz`)).status, 200);
    } finally {
      await gw.stop();
      await upstream.close();
    }
  });

  it('refuses to start an admin listener beyond loopback without a token', async () => {
    await assert.rejects(
      startTestGateway(`backends: { u: { endpoints: [http://127.0.0.1:9] } }\nroutes: [{ name: r, match: { pathPrefix: / }, backend: u }]\n`, { adminHost: '0.0.0.0', adminToken: '' }),
      { message: 'the admin listener is configured on 0.0.0.0, which is not loopback, and SWITCHYARD_ADMIN_TOKEN is not set; set SWITCHYARD_ADMIN_TOKEN to a secret bearer token, or set listeners.admin.host to 127.0.0.1' },
    );
  });
});
