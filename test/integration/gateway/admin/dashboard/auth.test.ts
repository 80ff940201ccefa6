import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SESSION_COOKIE } from '../../../../../gateway/admin/dashboard/session.js';
import { startEchoUpstream, type EchoUpstream } from '../../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../../helpers/gateway/start-test-gateway.js';

const TOKEN = 'dashboard-auth-token';
const SESSION_SET_COOKIE = new RegExp(`^${SESSION_COOKIE}=([0-9a-f]{64}); Path=/; HttpOnly; SameSite=Strict$`);

/** The session value a Set-Cookie header carries (asserting its flags). */
function sessionOf(res: Response): string {
  const match = SESSION_SET_COOKIE.exec(res.headers.get('set-cookie') ?? '');
  assert.ok(match, `a session cookie with its flags: ${res.headers.get('set-cookie')}`);
  return match[1]!;
}

async function signIn(adminUrl: string): Promise<string> {
  const res = await fetch(`${adminUrl}/dashboard/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) });
  assert.equal(res.status, 204);
  return `${SESSION_COOKIE}=${sessionOf(res)}`;
}
const CONFIG = (a: string) => `
backends:
  a: { endpoints: [${a}] }
routes:
  - name: plain
    match: { pathPrefix: /plain }
    backend: a
`;

describe('the dashboard on the admin listener', () => {
  let upstream: EchoUpstream;
  let gw: TestGateway;
  let open: TestGateway;
  before(async () => {
    upstream = await startEchoUpstream('a');
    gw = await startTestGateway(CONFIG(upstream.url), { adminToken: TOKEN });
    open = await startTestGateway(CONFIG(upstream.url));
  });
  after(async () => {
    await Promise.all([gw.stop(), open.stop()]);
    await upstream.close();
  });

  it('serves the page and its scripts without the token (they hold no data), under a self-only CSP', async () => {
    const page = await fetch(`${gw.adminUrl}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.headers.get('content-security-policy')!, /default-src 'none'; script-src 'self'; style-src 'self';.*connect-src 'self'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const html = await page.text();
    assert.match(html, /<script type="module" src="\/dashboard\/main.js">/);
    assert.doesNotMatch(html, /https?:\/\//, 'nothing is loaded from elsewhere');
    for (const path of ['/dashboard/main.js', '/dashboard/routes.js', '/dashboard/lib/prometheus.js', '/dashboard/lib/format.js', '/dashboard/dashboard.css']) {
      const res = await fetch(`${gw.adminUrl}${path}`);
      assert.equal(res.status, 200, path);
      assert.doesNotMatch(await res.text(), /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, `${path} loads nothing from elsewhere`);
    }
    assert.equal((await fetch(`${gw.adminUrl}/dashboard/../package.json`)).status, 404);
    assert.equal((await fetch(`${gw.adminUrl}/dashboard/nope.js`)).status, 404);
    assert.equal((await fetch(`${gw.adminUrl}/`, { method: 'POST' })).status, 405);
  });

  it('exchanges ?token= for an HttpOnly SameSite=Strict session cookie and redirects the token out of the address', async () => {
    const res = await fetch(`${gw.adminUrl}/?token=${TOKEN}`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    const cookie = `${SESSION_COOKIE}=${sessionOf(res)}`;
    assert.equal((await fetch(`${gw.adminUrl}/admin/routes`, { headers: { cookie } })).status, 200);
    const wrong = await fetch(`${gw.adminUrl}/?token=nope`, { redirect: 'manual' });
    assert.equal(wrong.status, 303);
    assert.equal(wrong.headers.get('set-cookie'), null);
  });

  it('lets the session cookie stand for the bearer token on the admin and experiments APIs', async () => {
    const cookie = await signIn(gw.adminUrl);
    assert.equal((await fetch(`${gw.adminUrl}/admin/routes`)).status, 401);
    assert.equal((await fetch(`${gw.adminUrl}/admin/routes`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${gw.adminUrl}/v1/experiments`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${gw.adminUrl}/admin/routes`, { headers: { cookie: `${SESSION_COOKIE}=${'0'.repeat(64)}` } })).status, 401);
    assert.equal((await fetch(`${gw.adminUrl}/admin/routes`, { headers: { cookie: `${SESSION_COOKIE}=${TOKEN}` } })).status, 401, 'the token itself is not a session');
    assert.equal((await fetch(`${gw.adminUrl}/admin/routes`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  });

  it('signs in with POST /dashboard/session {"token"} (JSON only) and signs out with DELETE', async () => {
    const post = (body: string, type = 'application/json') => fetch(`${gw.adminUrl}/dashboard/session`, { method: 'POST', headers: { 'content-type': type }, body });
    const ok = await post(JSON.stringify({ token: TOKEN }));
    assert.equal(ok.status, 204);
    const cookie = `${SESSION_COOKIE}=${sessionOf(ok)}`;
    const wrong = await post(JSON.stringify({ token: 'nope' }));
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { code: string }).code, 'UNAUTHORIZED');
    assert.equal((await post(JSON.stringify({ token: TOKEN }), 'text/plain')).status, 415, 'a cross-site form cannot sign in');
    const other = await signIn(gw.adminUrl);
    assert.equal((await fetch(`${gw.adminUrl}/admin/routes`, { headers: { cookie } })).status, 200);
    const out = await fetch(`${gw.adminUrl}/dashboard/session`, { method: 'DELETE', headers: { cookie } });
    assert.equal(out.status, 204);
    assert.equal(out.headers.get('set-cookie'), `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    // Ended on the server: the cookie replayed after sign-out is refused; another session is not touched.
    const replayed = await fetch(`${gw.adminUrl}/admin/routes`, { headers: { cookie } });
    assert.equal(replayed.status, 401);
    assert.equal(((await replayed.json()) as { code: string }).code, 'UNAUTHORIZED');
    assert.equal((await fetch(`${gw.adminUrl}/v1/experiments`, { headers: { cookie } })).status, 401);
    assert.equal((await fetch(`${gw.adminUrl}/admin/routes`, { headers: { cookie: other } })).status, 200);
  });

  it('needs no sign-in where no token is configured (loopback only)', async () => {
    const res = await fetch(`${open.adminUrl}/dashboard/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":""}' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('set-cookie'), null);
    assert.equal((await fetch(`${open.adminUrl}/admin/routes`)).status, 200);
  });
});
