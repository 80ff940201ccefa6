import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { formatResults } from '../../../../../cli/experiments-table.js';
import type { ExperimentExport, ExperimentHistory, ExperimentReport } from '../../../../../gateway/experiments/service.js';
import { createMemoryExperimentStore } from '../../../../../gateway/experiments/store/memory.js';
import { backendTotals, parsePrometheus, windowFigures } from '../../../../../gateway/admin/dashboard/lib/prometheus.js';
import { formatInterval, formatMetricValue, formatMs, formatNumber, formatP, formatPercent } from '../../../../../gateway/admin/dashboard/lib/format.js';
import { dashboardBrowser, shows } from '../../../../helpers/gateway/dashboard-browser.js';
import { startEchoUpstream, type EchoUpstream } from '../../../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../../../helpers/gateway/start-test-gateway.js';
import { spawnCli } from '../../../../helpers/process.js';
import { repoRoot } from '../../../../helpers/repo-root.js';

/** Chromium on PATH (Debian's package), or SWITCHYARD_CHROMIUM; skipped when absent, failed in CI. */
const chromium = dashboardBrowser('the dashboard browser test');
const { skip } = chromium;

const TOKEN = 'dashboard-test-token';
const ARTIFACTS = join(repoRoot(), 'test', 'artifacts', 'dashboard');

/** The canary control the test clicks to abort: the rollout's abort (POST /admin/rollouts/canary/abort). */
const ABORT_CONTROL = 'rollout-abort.canary';

const CONFIG = (blue: string, green: string) => `
backends:
  blue: { endpoints: [${blue}] }
  green: { endpoints: [${green}] }
routes:
  # Stepped: the rollout controller drives it (an hour per step, so it holds at 30 % for the test).
  - name: canary
    match: { pathPrefix: /canary }
    rollout: { strategy: canary, stable: blue, canary: green, weight: 30, steps: [30, 60, 100], interval: 1h }
  # No steps: its weight moves by hand (the controller would put a stepped route's weight back).
  - name: manual
    match: { pathPrefix: /manual }
    rollout: { strategy: canary, stable: blue, canary: green, weight: 10 }
  - name: bg
    match: { pathPrefix: /bg }
    rollout: { strategy: blueGreen, active: blue, preview: green }
  - name: plain
    match: { pathPrefix: /plain }
    backend: blue
  - name: ranker
    match: { pathPrefix: /rank }
    experiment:
      id: ranker-ab
      unit: header:x-user-id
      variants: [{ name: control, backend: blue, weight: 50 }, { name: treatment, backend: green, weight: 50 }]
      metrics: [{ name: clicked, kind: proportion }, { name: revenue, kind: mean }, { name: latency_ms, kind: mean, goal: decrease, role: guardrail }]
      primaryMetric: clicked
      historyInterval: 5m
`;

/** The lift over time: three looks, five minutes apart, from 2026-12-08 09:00 UTC. */
const HISTORY_START = Date.UTC(2026, 11, 8, 9);
const HISTORY_STEP = 5 * 60_000;


async function admin<T>(gw: TestGateway, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${gw.adminUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return (path === '/metrics' ? await res.text() : await res.json()) as T;
}

async function drive(url: string, n: number, headers: (i: number) => Record<string, string> = () => ({})): Promise<void> {
  for (let i = 0; i < n; i++) await (await fetch(url, { headers: headers(i) })).arrayBuffer();
}

/** The page's document, typed for the few calls made inside the browser (the project has no DOM lib). */
interface PageDocument {
  querySelector(selector: string): { textContent: string | null } | null;
  cookie: string;
}

describe('the dashboard in a real browser', { skip }, () => {
  let blue: EchoUpstream;
  let green: EchoUpstream;
  let gw: TestGateway;
  let browser: Browser;
  const external: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    [blue, green] = await Promise.all([startEchoUpstream('blue'), startEchoUpstream('green')]);
    // No history timer: the test records the looks at the times it chooses.
    gw = await startTestGateway(CONFIG(blue.url, green.url), { adminToken: TOKEN, experimentStore: createMemoryExperimentStore(), historyTickMs: 0 });
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch();

    await drive(`${gw.url}/canary/x`, 40, (i) => ({ 'x-request-id': `r${i}` }));
    await drive(`${gw.url}/plain/ok`, 20);
    await drive(`${gw.url}/plain/status/500`, 5);
    await drive(`${gw.url}/bg/x`, 3);
    await drive(`${gw.url}/rank`, 60, (i) => ({ 'x-user-id': `user-${i}` }));
    // Three looks at the cumulative results, with more outcomes posted before each.
    for (let look = 0; look < 3; look++) {
      const outcomes = Array.from({ length: 20 * (look + 1) }, (_, i) => [
        { unit: `user-${i}`, metric: 'clicked', value: i % 3 === 0 ? 1 : 0 },
        { unit: `user-${i}`, metric: 'revenue', value: (i * 7) % 23 },
        { unit: `user-${i}`, metric: 'latency_ms', value: 40 + ((i * 11) % 17) },
      ]).flat();
      await admin(gw, '/v1/experiments/ranker-ab/outcomes', { method: 'POST', body: JSON.stringify({ outcomes }) });
      await gw.gateway.sampleExperiments(HISTORY_START + look * HISTORY_STEP);
    }
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await Promise.all([blue?.close(), green?.close()]);
  });

  async function openPage(withToken: boolean): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('request', (r) => { if (!r.url().startsWith(gw.adminUrl)) external.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(withToken ? `${gw.adminUrl}/?token=${TOKEN}` : gw.adminUrl);
    return page;
  }

  it('asks for the token, exchanges it for an HttpOnly SameSite=Strict cookie, and then shows the data', async () => {
    const page = await openPage(false);
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.screenshot({ path: join(ARTIFACTS, 'login.png') });
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#login').isVisible(), true, 'Escape does not dismiss the sign-in');
    await page.fill('#login-token', 'wrong');
    await page.click('#login-submit');
    await page.locator('#login-error', { hasText: 'wrong token' }).waitFor();
    await page.fill('#login-token', TOKEN);
    await page.click('#login-submit');
    await page.locator('#login').waitFor({ state: 'hidden' });
    await shows(page, 'routes.canary.green.weight', '30 %');
    const [cookie] = await page.context().cookies();
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.notEqual(cookie?.value, TOKEN, 'the cookie holds a hash, not the token');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: PageDocument }).document.cookie), '', 'scripts cannot read the session');
    await page.context().close();
  });

  it('shows the numbers the API gives: weights, requests, error rate, p99, experiment statistics', async () => {
    const page = await openPage(true);
    assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
    const routes = await admin<{ routes: { name: string; target: { weights?: Record<string, number> } }[] }>(gw, '/admin/routes');
    const canary = routes.routes.find((r) => r.name === 'canary')!.target.weights!;
    await shows(page, 'routes.canary.green.weight', `${canary.canary} %`);
    await shows(page, 'routes.canary.blue.weight', `${canary.stable} %`);
    await shows(page, 'routes.ranker.variant.treatment.weight', 'treatment 50 %');

    const totals = backendTotals(parsePrometheus(await admin<string>(gw, '/metrics')));
    assert.ok(totals.length >= 5, 'every backend of every route has figures');
    for (const t of totals) {
      const f = windowFigures(t, undefined, 0);
      await shows(page, `routes.${t.route}.${t.backend}.requests`, formatNumber(f.requests));
      await shows(page, `routes.${t.route}.${t.backend}.errorRate`, formatPercent(f.errorRate));
      await shows(page, `routes.${t.route}.${t.backend}.p99`, formatMs(f.p99Ms));
    }
    await shows(page, 'routes.plain.blue.requests', '25');
    await shows(page, 'routes.plain.blue.errorRate', '20.00 %');

    type Results = {
      recommendation: { action: string; variant: string | null; reason: string };
      variants: { name: string; exposures: number }[];
      sampleRatio: { pValue: number | null; mismatch: boolean };
      sampleSize: { unitsPerVariant: number | null };
      exposureJoin: { analysedUnits: Record<string, number>; leftOut: string };
      metrics: { name: string; kind: 'proportion' | 'mean'; variants: { variant: string; n: number; mean: number; ci: [number, number] | null }[]; comparisons: { variant: string; relativeLift: { estimate: number } | null; test: { pValue: number } | null; adjustedPValue: number | null }[] }[];
    };
    const results = await admin<Results>(gw, '/v1/experiments/ranker-ab/results');
    for (const m of results.metrics) {
      for (const v of m.variants) {
        await shows(page, `experiments.ranker-ab.${m.name}.${v.variant}.n`, formatNumber(v.n));
        await shows(page, `experiments.ranker-ab.${m.name}.${v.variant}.mean`, formatMetricValue(m.kind, v.mean));
        await shows(page, `experiments.ranker-ab.${m.name}.${v.variant}.ci`, formatInterval(v.ci, (x) => formatMetricValue(m.kind, x)));
      }
      for (const c of m.comparisons) {
        await shows(page, `experiments.ranker-ab.${m.name}.${c.variant}.lift`, formatPercent(c.relativeLift?.estimate));
        await shows(page, `experiments.ranker-ab.${m.name}.${c.variant}.p`, formatP(c.test?.pValue));
        await shows(page, `experiments.ranker-ab.${m.name}.${c.variant}.adjustedP`, formatP(c.adjustedPValue));
      }
    }
    const rec = results.recommendation;
    await shows(page, 'experiments.ranker-ab.recommendation', rec.action + (rec.variant ? ` ${rec.variant}` : ''));
    await shows(page, 'experiments.ranker-ab.recommendation.reason', rec.reason);
    const srm = await page.locator('[data-k="experiments.ranker-ab.srm"]').textContent();
    assert.match(srm!, results.sampleRatio.mismatch ? /^Split check FAILED/ : results.sampleRatio.pValue === null ? /^Split check: not enough/ : /^Split check passed/);
    const joined = results.exposureJoin;
    await shows(page, 'experiments.ranker-ab.leftOut', `Analysed (joined on exposure): ${Object.entries(joined.analysedUnits).map(([v, n]) => `${v} ${n}`).join(', ')} units; left out: ${joined.leftOut}.`);
    const needed = results.sampleSize.unitsPerVariant;
    assert.notEqual(needed, null, 'control has outcomes, so the planned size is known');
    for (const v of results.variants) await shows(page, `experiments.ranker-ab.progress.${v.name}`, `${formatNumber(v.exposures)} / ${formatNumber(needed)}`);
    assert.equal(await page.locator('[data-metric="revenue"] svg.interval-plot').count(), 2, 'means with intervals, and the lift against zero');
    assert.equal(await page.locator('[data-metric="revenue"] svg.interval-plot line.zero').count(), 1);

    const rolloutApi = (await fetch(`${gw.adminUrl}/admin/rollouts`, { headers: { authorization: `Bearer ${TOKEN}` } })).status;
    if (rolloutApi === 404) await shows(page, 'rollouts.absent', 'no rollout API on this gateway (GET /admin/rollouts answers 404)');
    else {
      // With the rollout branch merged: each canary rollout's phase and weight as its API says.
      const list = await admin<{ rollouts: { route: string; strategy: string; phase?: string; weights?: { canary: number } }[] }>(gw, '/admin/rollouts');
      for (const r of list.rollouts.filter((x) => x.strategy === 'canary')) {
        await shows(page, `rollouts.${r.route}.phase`, r.phase!);
        await shows(page, `rollouts.${r.route}.canaryWeight`, `${formatNumber(r.weights?.canary)} %`);
      }
    }
    const shadowApi = (await fetch(`${gw.adminUrl}/admin/shadows`, { headers: { authorization: `Bearer ${TOKEN}` } })).status;
    if (shadowApi === 404) await shows(page, 'shadows.absent', 'no shadow API on this gateway (GET /admin/shadows answers 404)');

    // Live: traffic sent while the page is open shows up without a reload.
    await drive(`${gw.url}/plain/ok`, 10);
    await shows(page, 'routes.plain.blue.requests', '35');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    await page.context().close();
  });

  it('shows the figures the API, the CLI table and the export give, and the cumulative lift over time with its interval', async () => {
    const page = await openPage(true);
    const [results, history, exported] = await Promise.all([
      admin<ExperimentReport>(gw, '/v1/experiments/ranker-ab/results'),
      admin<ExperimentHistory>(gw, '/v1/experiments/ranker-ab/history'),
      admin<ExperimentExport>(gw, '/v1/experiments/ranker-ab/export'),
    ]);
    // The export carries the API's figures, and the CLI prints the API's figures, line for line.
    assert.deepEqual(exported.results, results);
    const cli = spawnCli(['experiments', 'results', 'ranker-ab', '--admin', gw.adminUrl, '--token', TOKEN]);
    assert.equal(await cli.exited, 0);
    const table = cli.lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
    assert.deepEqual(table, formatResults(results).trimEnd().split('\n'));

    for (const m of results.metrics) {
      for (const c of m.comparisons) {
        // The same comparison in the CLI's line and on the page.
        const line = table.find((l) => l.startsWith(`  ${c.variant} vs control:`) && table.indexOf(l) > table.findIndex((x) => x.startsWith(`${m.name} (`)))!;
        if (c.chanceToBeatControl !== null) assert.match(line, new RegExp(`chance to beat control ${Number((c.chanceToBeatControl * 100).toPrecision(4))}%$`));
        await shows(page, `experiments.ranker-ab.${m.name}.${c.variant}.chanceToBeat`, formatPercent(c.chanceToBeatControl));
        await shows(page, `experiments.ranker-ab.${m.name}.${c.variant}.liftCi`, formatInterval(c.relativeLift?.ci, formatPercent));
        await shows(page, `experiments.ranker-ab.${m.name}.${c.variant}.adjustedP`, formatP(c.adjustedPValue));

        // The lift over time: one point per recorded look, each with the lift and interval the API recorded.
        const points = history.points.map((p) => ({ at: p.at, lift: p.metrics.find((x) => x.name === m.name)!.comparisons.find((x) => x.variant === c.variant)!.relativeLift }));
        assert.equal(points.length, 3);
        const text = (p: (typeof points)[number]) => `${new Date(p.at).toISOString().slice(11, 16)} UTC: ${formatPercent(p.lift!.estimate)} ${formatInterval(p.lift!.ci, formatPercent)}`;
        const latest = points[points.length - 1]!;
        await shows(page, `experiments.ranker-ab.${m.name}.${c.variant}.liftOverTime`, `3 points; latest ${text(latest)}`);
        const chart = page.locator(`[data-lift-over-time="${m.name}.${c.variant}"] svg.lift-over-time`);
        assert.deepEqual(await chart.locator('circle.point title').allTextContents(), points.map(text));
        assert.equal(await chart.locator('line.zero').count(), 1);
        assert.equal(await chart.locator('path.band').count(), points.some((p) => p.lift!.ci !== null) ? 1 : 0);
      }
    }
    // The latest point is the results as they stand: nothing was posted after the last look.
    assert.deepEqual(history.points[2]!.metrics.map((x) => x.comparisons.map((c) => c.relativeLift)), results.metrics.map((x) => x.comparisons.map((c) => c.relativeLift)));
    assert.deepEqual(history.points.map((p) => p.at), [0, 1, 2].map((i) => HISTORY_START + i * HISTORY_STEP));
    for (const g of results.guardrails) {
      await shows(page, `experiments.ranker-ab.guardrail.${g.metric}.${g.variant}`, `Guardrail ${g.harmed ? 'HARMED' : 'ok'}: ${g.summary}`);
    }
    await shows(page, 'experiments.ranker-ab.chanceToBeatControl.label', 'Chance to beat control (Bayesian, flat prior, normal approximation): beside each comparison; it does not decide the verdict.');
    await page.locator('[data-lift-over-time="clicked.treatment"]').screenshot({ path: join(ARTIFACTS, 'lift-over-time.png') });
    await page.context().close();
  });

  it('aborts the canary rollout through the admin API after a confirmation, and the weight drops', async () => {
    type Rollout = { route: string; strategy: string; phase?: string; weights?: { stable: number; canary: number } };
    const page = await openPage(true);
    await shows(page, 'routes.canary.green.weight', '30 %');
    await shows(page, 'rollouts.canary.phase', 'progressing');
    // Cancel first: nothing changes.
    await page.click(`[data-control="${ABORT_CONTROL}"]`);
    await page.locator('#confirm').waitFor({ state: 'visible' });
    await page.click('#confirm-cancel');
    const unchanged = await admin<{ routes: { name: string; target: { weights?: Record<string, number> } }[] }>(gw, '/admin/routes');
    assert.equal(unchanged.routes.find((r) => r.name === 'canary')!.target.weights!.canary, 30);
    assert.equal((await admin<Rollout>(gw, '/admin/rollouts/canary')).phase, 'progressing');

    // A weight being typed survives the page's refreshes; Set moves it (on the route without steps).
    const box = page.locator('[data-control="weight.manual"]');
    await box.fill('45');
    const refreshed = Number(await page.evaluate(() => (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset.refreshed));
    await page.waitForFunction((n) => Number((globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset.refreshed) >= n + 2, refreshed);
    assert.equal(await box.inputValue(), '45');
    await page.click('[data-control="set-weight.manual"]');
    await page.click('#confirm-ok');
    await shows(page, 'routes.manual.green.weight', '45 %');

    await page.click(`[data-control="${ABORT_CONTROL}"]`);
    await page.locator('#confirm').waitFor({ state: 'visible' });
    await page.screenshot({ path: join(ARTIFACTS, 'abort-confirm.png') });
    await page.click('#confirm-ok');
    await shows(page, 'routes.canary.green.weight', '0 %');
    await shows(page, 'routes.canary.blue.weight', '100 %');
    await shows(page, 'rollouts.canary.phase', 'aborted');
    await shows(page, 'rollouts.canary.canaryWeight', '0 %');
    await shows(page, 'rollouts.canary.stableWeight', '100 %');
    const routes = await admin<{ routes: { name: string; target: { weights?: Record<string, number> } }[] }>(gw, '/admin/routes');
    assert.deepEqual(routes.routes.find((r) => r.name === 'canary')!.target.weights, { stable: 100, canary: 0 });
    const listed = (await admin<{ rollouts: Rollout[] }>(gw, '/admin/rollouts')).rollouts.find((r) => r.route === 'canary')!;
    assert.equal(listed.phase, 'aborted');
    assert.equal(listed.weights?.canary, 0);
    const status = await admin<Rollout & { reason: string | null }>(gw, '/admin/rollouts/canary');
    assert.equal(status.phase, 'aborted');
    assert.deepEqual(status.weights, { stable: 100, canary: 0 });
    assert.match(status.reason ?? '', /from the dashboard/);
    // The manual route keeps the weight set by hand.
    assert.equal(routes.routes.find((r) => r.name === 'manual')!.target.weights!.canary, 45);
    const before = green.count();
    await drive(`${gw.url}/canary/x`, 20);
    assert.equal(green.count(), before, 'no request reaches the aborted canary');
    await page.screenshot({ path: join(ARTIFACTS, 'after-abort.png'), fullPage: true });
    await page.context().close();
  });

  it('loaded nothing from outside the admin listener and logged no errors (CSP included)', () => {
    assert.deepEqual(external, []);
    // Expected: 401 before the sign-in, 404 from the rollout and shadow APIs when this gateway has none.
    const expected = /status of 401 |status of 404 .*\/admin\/(rollouts|shadows)$/;
    assert.deepEqual(consoleErrors.filter((e) => !expected.test(e)), []);
  });
});
