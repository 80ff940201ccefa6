import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createMemoryExperimentStore } from '../../../../../gateway/experiments/store/memory.js';
import { dashboardBrowser, shows } from '../../../../helpers/gateway/dashboard-browser.js';
import { startEchoUpstream, type EchoUpstream } from '../../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../../helpers/gateway/start-test-gateway.js';
import { until } from '../../../../helpers/process.js';
import { repoRoot } from '../../../../helpers/repo-root.js';

/** Chromium on PATH (Debian's package), or SWITCHYARD_CHROMIUM; skipped when absent, failed in CI. */
const chromium = dashboardBrowser('the dashboard over-time browser test');
const { skip } = chromium;

const TOKEN = 'over-time-test-token';
const ARTIFACTS = join(repoRoot(), 'test', 'artifacts', 'dashboard');
/** The series sample every this many ms here (10 s in production), so a test sees several points. */
const SAMPLE_MS = 500;
/** Polls of the admin API while waiting for samples (each a real request, no sleep). */
const PATIENCE = 20_000;

const CONFIG = (blue: string, green: string) => `
backends:
  blue: { endpoints: [${blue}] }
  green: { endpoints: [${green}] }
routes:
  # Stepped: the controller sets 30 % itself (an hour per step, so it holds there).
  - name: canary
    match: { pathPrefix: /canary }
    rollout: { strategy: canary, stable: blue, canary: green, weight: 30, steps: [30, 60, 100], interval: 1h }
  # No steps: an operator moves its weight.
  - name: manual
    match: { pathPrefix: /manual, headers: { x-tenant: acme } }
    rollout: { strategy: canary, stable: blue, canary: green, weight: 10 }
  - name: bg
    match: { pathPrefix: /bg }
    rollout: { strategy: blueGreen, active: blue, preview: green }
  - name: ranker
    match: { pathPrefix: /rank }
    experiment:
      id: ranker-ab
      unit: header:x-user-id
      variants: [{ name: control, backend: blue, weight: 50 }, { name: treatment, backend: green, weight: 50 }]
      metrics: [{ name: clicked, kind: proportion }]
`;

interface Point { at: string; backend: string; weight: number; requests: number; ratePerSecond: number | null; errorRate: number | null; p99Ms: number | null }
interface Series { now: string; minutes: number; intervalSeconds: number; routes: { route: string; strategy: string; sides: { side: string; points: Point[] }[]; events: { at: string; event: string; by: string }[] }[] }

async function api<T>(gw: TestGateway, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${gw.adminUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } });
  return { status: res.status, body: (await res.json()) as T };
}

async function drive(url: string, n: number, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < n; i++) await (await fetch(url, { headers })).arrayBuffer();
}

/** The requests the series counted on one side of a route, over every point. */
function counted(series: Series, route: string, side: string): number {
  return series.routes.find((r) => r.route === route)?.sides.find((s) => s.side === side)?.points.reduce((sum, p) => sum + p.requests, 0) ?? 0;
}

/** Which of the route's four rollout buttons are enabled, in order. */
async function enabledCommands(page: Page, route: string): Promise<string[]> {
  const enabled: string[] = [];
  for (const command of ['promote', 'abort', 'pause', 'resume']) {
    if (await page.locator(`[data-control="rollout-${command}.${route}"]`).isEnabled()) enabled.push(command);
  }
  return enabled;
}

describe('the dashboard over time, and its controls by state', { skip }, () => {
  let blue: EchoUpstream;
  let green: EchoUpstream;
  let gw: TestGateway;
  let browser: Browser;
  const consoleErrors: string[] = [];

  before(async () => {
    [blue, green] = await Promise.all([startEchoUpstream('blue'), startEchoUpstream('green')]);
    gw = await startTestGateway(CONFIG(blue.url, green.url), { adminToken: TOKEN, experimentStore: createMemoryExperimentStore(), dashboardSampleMs: SAMPLE_MS });
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await Promise.all([blue?.close(), green?.close()]);
  });

  async function openPage(adminUrl: string, token: string | undefined): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(token === undefined ? adminUrl : `${adminUrl}/?token=${token}`);
    return page;
  }

  it('serves each side of a route as points that add up to the requests sent, and refuses a bad window', async () => {
    await drive(`${gw.url}/canary/x`, 60);
    await drive(`${gw.url}/canary/status/500`, 10);
    const sent = blue.count() + green.count();
    assert.equal(sent, 70);
    let series: Series | undefined;
    await until(async () => {
      series = (await api<Series>(gw, '/admin/series?minutes=15')).body;
      return counted(series, 'canary', 'stable') + counted(series, 'canary', 'canary') === sent;
    }, 'the series to count every request', PATIENCE);
    assert.equal(counted(series!, 'canary', 'stable'), blue.count());
    assert.equal(counted(series!, 'canary', 'canary'), green.count());
    assert.equal(series!.minutes, 15);
    assert.equal(series!.intervalSeconds, SAMPLE_MS / 1000);
    const canary = series!.routes.find((r) => r.route === 'canary')!;
    assert.deepEqual(canary.sides.map((s) => s.side), ['stable', 'canary']);
    assert.ok(canary.sides[1]!.points.every((p) => p.weight === 30 && p.backend === 'green'), 'the controller holds the canary at 30 %');
    const busy = canary.sides.flatMap((s) => s.points).filter((p) => p.requests > 0);
    assert.ok(busy.every((p) => p.ratePerSecond! > 0 && p.p99Ms! > 0 && p.errorRate !== null));
    const errors = busy.reduce((sum, p) => sum + Math.round(p.errorRate! * p.requests), 0);
    assert.equal(errors, 10, 'the 500s are the errors');
    assert.deepEqual(canary.events.map((e) => [e.event, e.by]), [['started', 'config']]);
    assert.deepEqual(series!.routes.map((r) => r.route).sort(), ['bg', 'canary', 'manual'], 'canary and blue-green routes only');

    for (const bad of ['0', '61', '1.5', 'ten', '']) {
      const res = await api<{ error: string; code: string }>(gw, `/admin/series?minutes=${bad}`);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { error: `minutes: expected a whole number from 1 to 60; received '${bad}'`, code: 'INVALID_REQUEST' });
    }
    assert.equal((await fetch(`${gw.adminUrl}/admin/series`)).status, 401, 'behind the admin token');
  });

  it('draws weight, rate, error rate and p99 for stable against canary, with the abort and a switch marked', async () => {
    const page = await openPage(gw.adminUrl, TOKEN);
    await shows(page, 'series.canary.canary.weight', '30 %');
    await shows(page, 'series.canary.stable.weight', '70 %');
    // Every chart has both sides as lines (a move, then segments): error rate and p99 need requests
    // on both sides in two intervals running, so traffic goes on until the page draws them.
    const paths = ['weight', 'ratePerSecond', 'errorRate', 'p99Ms'].flatMap((field) => ['stable', 'canary'].map((side) => `[data-series="canary.${side}.${field}"]`));
    const lines = () => page.evaluate((selectors) => selectors.map((q) => (globalThis as unknown as { document: { querySelector(q: string): { getAttribute(a: string): string | null } | null } }).document.querySelector(q)?.getAttribute('d') ?? ''), paths);
    for (let i = 0; i < 2000 && !(await lines()).every((d) => d.includes('L')); i++) await drive(`${gw.url}/canary/x`, 10);
    for (const [i, d] of (await lines()).entries()) assert.match(d, /^M[\d.]+,[\d.]+([LM][\d.]+,[\d.]+)*$/, `${paths[i]} is a line`);
    assert.ok((await lines()).every((d) => d.includes('L')), 'every line has segments');
    assert.equal(await page.locator('[data-series-route="canary"] [data-marker^="canary.started."]').count(), 4, 'the start marked on each chart');

    // Abort from the rollout panel, switch the blue-green route by the API: both are marked.
    await page.click('[data-control="rollout-abort.canary"]');
    await page.click('#confirm-ok');
    assert.equal((await api(gw, '/admin/routes/bg/switch', { method: 'POST', body: '{}' })).status, 200);
    await shows(page, 'series.canary.canary.weight', '0 %');
    await page.locator('[data-series-route="canary"] [data-marker^="canary.aborted."]').first().waitFor();
    await page.locator('[data-series-route="bg"] [data-marker^="bg.switch."]').first().waitFor();
    assert.equal(await page.locator('[data-series-route="bg"] [data-marker^="bg.switch."] title').first().textContent().then((t) => /switch by detected .*: green took over from blue$/.test(t ?? '')), true);
    await shows(page, 'series.bg.active.weight', '100 %');

    // The window: 60 minutes asks the API for 60.
    const asked = page.waitForRequest((r) => r.url().endsWith('/admin/series?minutes=60'));
    await page.click('[data-control="series-window.60"]');
    await asked;
    await page.locator('[data-control="series-window.60"][aria-pressed="true"]').waitFor();
    await page.locator('#series').screenshot({ path: join(ARTIFACTS, 'over-time.png') });
    await page.context().close();
  });

  it('enables only the rollout commands that apply to the phase', async () => {
    const page = await openPage(gw.adminUrl, TOKEN);
    // Aborted by the test above: only resume acts.
    await shows(page, 'rollouts.canary.phase', 'aborted');
    assert.deepEqual(await enabledCommands(page, 'canary'), ['resume']);
    assert.equal(await page.locator('[data-control="rollout-abort.canary"]').getAttribute('title'), 'already aborted');
    await page.click('[data-control="rollout-resume.canary"]');
    await page.click('#confirm-ok');
    await shows(page, 'rollouts.canary.phase', 'progressing');
    assert.deepEqual(await enabledCommands(page, 'canary'), ['promote', 'abort', 'pause']);
    await page.click('[data-control="rollout-pause.canary"]');
    await page.click('#confirm-ok');
    await shows(page, 'rollouts.canary.phase', 'paused');
    assert.deepEqual(await enabledCommands(page, 'canary'), ['promote', 'abort', 'resume']);
    assert.equal((await api(gw, '/admin/rollouts/canary/promote', { method: 'POST', body: '{"full": true}' })).status, 200);
    await shows(page, 'rollouts.canary.phase', 'promoted');
    assert.deepEqual(await enabledCommands(page, 'canary'), ['abort']);
    await page.context().close();
  });

  it('marks overridden only what an operator changed, writes the match as text, and names the control once', async () => {
    const page = await openPage(gw.adminUrl, TOKEN);
    // The controller's own weight (the canary route) is not an override.
    await shows(page, 'rollouts.canary.canaryWeight', '100 %');
    assert.equal(await page.locator('[data-k="routes.canary.overridden"]').count(), 0);
    assert.equal(await page.locator('[data-k="routes.manual.overridden"]').count(), 0);
    type Routes = { routes: { name: string; target: { overridden: boolean; weights?: { canary: number } } }[] };
    const byController = (await api<Routes>(gw, '/admin/routes')).body.routes.find((r) => r.name === 'canary')!.target;
    assert.deepEqual([byController.weights?.canary, byController.overridden], [100, false], 'the controller moved it, nobody overrode it');
    assert.equal((await api(gw, '/admin/routes/manual/weights', { method: 'POST', body: '{"canary": 40}' })).status, 200);
    await shows(page, 'routes.manual.overridden', 'overridden');
    await shows(page, 'routes.manual.green.weight', '40 %');
    assert.equal(await page.locator('[data-k="routes.canary.overridden"]').count(), 0);

    await shows(page, 'routes.canary.match', 'matches paths under /canary');
    await shows(page, 'routes.manual.match', 'matches paths under /manual, header x-tenant = acme');
    await shows(page, 'experiments.ranker-ab.header', 'route ranker, baseline control');
    assert.doesNotMatch(await page.locator('#experiments').textContent() ?? '', /control control/);
    await page.screenshot({ path: join(ARTIFACTS, 'over-time-page.png'), fullPage: true });
    await page.context().close();
  });

  it('offers Sign out only when the gateway has a token', async () => {
    const signedIn = await openPage(gw.adminUrl, TOKEN);
    await signedIn.locator('body[data-token-required="true"]').waitFor({ state: 'attached' });
    assert.equal(await signedIn.locator('#logout').isVisible(), true);
    await signedIn.context().close();

    const open = await startTestGateway(CONFIG(blue.url, green.url), { experimentStore: createMemoryExperimentStore() });
    try {
      const page = await openPage(open.adminUrl, undefined);
      await page.locator('body[data-token-required="false"]').waitFor({ state: 'attached' });
      const answer = await (await fetch(`${open.adminUrl}/dashboard/session`)).json();
      assert.deepEqual(answer, { tokenRequired: false });
      assert.equal(await page.locator('#logout').isVisible(), false);
      await page.context().close();
    } finally {
      await open.stop();
    }
  });

  it('logged no errors in the browser', () => {
    assert.deepEqual(consoleErrors.filter((e) => !/status of 404 .*\/admin\/shadows$/.test(e)), []);
  });
});
