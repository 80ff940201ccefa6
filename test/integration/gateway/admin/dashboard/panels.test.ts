import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EventEmitter, once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { handleDashboard } from '../../../../../gateway/admin/dashboard/handler.js';
import { AdminAuth } from '../../../../../gateway/admin/admin-auth.js';
import { dashboardBrowser } from '../../../../helpers/gateway/dashboard-browser.js';
import { repoRoot } from '../../../../helpers/repo-root.js';

/** Chromium on PATH (Debian's package), or SWITCHYARD_CHROMIUM; skipped when absent, failed in CI. */
const chromium = dashboardBrowser('the dashboard panels browser test');
const { skip } = chromium;

const ARTIFACTS = join(repoRoot(), 'test', 'artifacts', 'dashboard');

/**
 * The rollout, shadow, breaker and fallback panels against an admin API that answers with the
 * shapes of the rollout controller (gateway/admin/rollout-api.ts on the rollout branch), the
 * shadow book (GET /admin/shadows) and the resilience metrics, so the panels are checked before
 * those branches are merged. The page and its scripts are the real ones (handleDashboard).
 */
const T0 = Date.UTC(2026, 10, 24, 21, 0, 0);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function fraudStatus(phase: string, canary: number, extraHistory: object[] = []): Record<string, unknown> {
  return {
    route: 'fraud', strategy: 'canary', stable: 'fraud-v1', canary: 'fraud-v2', phase, reason: phase === 'aborted' ? 'aborted by hand: from the dashboard' : null,
    weights: { stable: 100 - canary, canary }, steps: [5, 20, 50, 100], step: phase === 'aborted' ? -1 : 1, intervalMs: 30000,
    analysisConfig: { maxErrorRate: 0.01, maxP99Ms: 250, minRequests: 50, failureLimit: 2, maxInconclusive: 3, mode: 'enforce' },
    failures: 1, inconclusive: 0, startedAt: at(0), intervalStartedAt: at(60),
    analyses: [
      { verdict: 'pass', reason: 'every check held', at: at(30), weight: 5, pairs: { compared: 0, disagreeing: 0, dropped: 0 },
        checks: [{ name: 'errorRate', value: 0.002, threshold: 0.01, passed: true }, { name: 'p99Ms', value: 120, threshold: 250, passed: true }],
        canary: { backend: 'fraud-v2', requests: 500, errors: 1, errorRate: 0.002, p99Ms: 120, classShares: {}, meanOutput: null },
        stable: { backend: 'fraud-v1', requests: 9500, errors: 10, errorRate: 0.00105, p99Ms: 110, classShares: {}, meanOutput: null } },
      { verdict: 'fail', reason: 'errorRate 1.5 % is above maxErrorRate 1 %', at: at(60), weight: 20, pairs: { compared: 40, disagreeing: 3, dropped: 0 },
        checks: [{ name: 'errorRate', value: 0.015, threshold: 0.01, passed: false }, { name: 'p99Ms', value: 130, threshold: 250, passed: true }, { name: 'disagreement', value: null, threshold: 0.1, passed: null, note: 'too few pairs' }],
        canary: { backend: 'fraud-v2', requests: 2000, errors: 30, errorRate: 0.015, p99Ms: 130, classShares: {}, meanOutput: null },
        stable: { backend: 'fraud-v1', requests: 8000, errors: 8, errorRate: 0.001, p99Ms: 112, classShares: {}, meanOutput: null } },
    ],
    history: [
      { at: at(0), event: 'started', by: 'config', weight: 5, reason: 'canary at 5%' },
      { at: at(30), event: 'step', by: 'analysis', weight: 20, reason: 'passed at 5%' },
      { at: at(60), event: 'failed_check', by: 'analysis', weight: 20, reason: 'errorRate 1.5 % is above maxErrorRate 1 % (1 of failureLimit 2)' },
      ...extraHistory,
    ],
  };
}

const METRICS = `# HELP switchyard_gateway_requests_total x
switchyard_gateway_requests_total{route="fraud",backend="fraud-v1",variant="",outcome="success"} 800
switchyard_gateway_requests_total{route="fraud",backend="fraud-v2",variant="",outcome="success"} 190
switchyard_gateway_requests_total{route="fraud",backend="fraud-v2",variant="",outcome="failure"} 10
switchyard_gateway_circuit_breaker_state{backend="fraud-v1",mode="enforce"} 0
switchyard_gateway_circuit_breaker_state{backend="fraud-v2",mode="observe"} 1
switchyard_gateway_fallback_total{route="fraud",kind="cache"} 30
switchyard_gateway_fallback_total{route="fraud",kind="static"} 20
`;

interface Posted { path: string; type: string | undefined; body: string }

describe('the rollout, shadow, breaker and fallback panels', { skip }, () => {
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let fraud = fraudStatus('progressing', 20);
  let shadowSent = 100;
  let shadowsFail = false;
  const posted: Posted[] = [];
  const posts = new EventEmitter();

  const routes = () => ({ routes: [
    { name: 'fraud', match: { pathPrefix: '/fraud' }, target: { kind: 'canary', stable: 'fraud-v1', canary: 'fraud-v2', weights: (fraud as { weights: object }).weights, overridden: false } },
    { name: 'bg', match: { pathPrefix: '/bg' }, target: { kind: 'blueGreen', active: 'blue', preview: 'green', overridden: false } },
  ] });
  const shadows = () => {
    // Every poll adds 100 compared rows, 90 of them agreeing: agreement over time 90 %.
    shadowSent += 100;
    const agreeingRows = 95 + (shadowSent - 200) * 0.9;
    return { shadows: [{
      route: 'fraud', backend: 'fraud-v3', sent: shadowSent, dropped: 2, skipped: 1, verdicts: { success: shadowSent, failure: 0, timeout: 0, rejected: 0, cancelled: 0 },
      comparedRows: shadowSent, agreeingRows, comparedAnswers: shadowSent, absDiffSum: shadowSent * 0.0125, latencyDiffMsSum: shadowSent * 1.5, latencyCount: shadowSent,
      errorRate: 0, agreement: agreeingRows / shadowSent, meanAbsDifference: 0.0125, meanLatencyDifferenceMs: 1.5,
    }] };
  };

  // No token: the dashboard is open, as on a loopback admin listener.
  const openAdmin = new AdminAuth(undefined, Date.now);

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    if (await handleDashboard(req, res, method, path, openAdmin)) return;
    const json = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      posted.push({ path, type: req.headers['content-type'], body: Buffer.concat(chunks).toString() });
      posts.emit('post');
      if (path === '/admin/rollouts/fraud/abort') {
        fraud = fraudStatus('aborted', 0, [{ at: at(90), event: 'aborted', by: 'human', weight: 0, reason: 'aborted by hand: from the dashboard' }]);
        return json(200, fraud);
      }
      return json(200, {});
    }
    if (path === '/metrics') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(METRICS); return; }
    if (path === '/admin/routes') return json(200, routes());
    if (path === '/admin/rollouts') return json(200, { analysisLeader: true, rollouts: [{ route: 'fraud', strategy: 'canary' }, { route: 'manual', strategy: 'canary' }, { route: 'bg', strategy: 'blueGreen' }] });
    if (path === '/admin/rollouts/manual') return json(200, { ...fraudStatus('manual', 10), route: 'manual', steps: [], step: null, analyses: [], history: [] });
    if (path === '/admin/rollouts/fraud') return json(200, fraud);
    if (path === '/admin/rollouts/bg') return json(200, { route: 'bg', strategy: 'blueGreen', target: routes().routes[1]!.target });
    if (path === '/admin/shadows') return shadowsFail ? json(500, { error: 'boom', code: 'INTERNAL' }) : json(200, shadows());
    if (path === '/v1/experiments') return json(200, { experiments: [] });
    json(404, { error: 'not found', code: 'NOT_FOUND' });
  }

  before(async () => {
    server = createServer((req, res) => void answer(req, res).catch((err: unknown) => { res.writeHead(500); res.end(String(err)); }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(base);
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const text = (key: string) => page.locator(`[data-k="${key}"]`).first();

  it('shows the rollout: phase, weights, steps, each check against its threshold, history', async () => {
    await text('rollouts.fraud.phase').filter({ hasText: 'progressing' }).waitFor();
    assert.equal(await text('rollouts.fraud.canaryWeight').textContent(), '20 %');
    assert.equal(await text('rollouts.fraud.stableWeight').textContent(), '80 %');
    assert.deepEqual(await page.locator('[data-rollout="fraud"] .steps li').evaluateAll((lis) => lis.map((li) => `${li.textContent} ${li.className}`)),
      ['5 % done', '20 % current', '50 % next', '100 % next']);
    const rows = await page.locator('[data-rollout="fraud"] .analysis').first().locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.textContent));
    // Newest first: the failed interval.
    assert.deepEqual(rows, ['errorRate1.50 %1.00 %no', 'p99Ms130 ms250 msyes', 'disagreement–10.00 %not judged: too few pairs']);
    assert.match((await page.locator('[data-rollout="fraud"] .history').textContent())!, /failed_check by analysis → 20 %: errorRate 1.5 % is above maxErrorRate 1 % \(1 of failureLimit 2\)/);
  });

  it('offers no rollout commands where there are no steps (the controller would refuse them)', async () => {
    await text('rollouts.manual.phase').filter({ hasText: 'manual' }).waitFor();
    assert.equal(await page.locator('[data-rollout="manual"] button').count(), 0);
    assert.equal(await page.locator('[data-rollout="fraud"] button').count(), 4);
  });

  it('shows breaker states and the fallback share from the resilience metrics', async () => {
    assert.equal(await text('routes.fraud.fraud-v2.breaker').textContent(), 'open (observe)');
    assert.equal(await text('routes.fraud.fraud-v1.breaker').textContent(), 'closed');
    // 50 fallback answers of 1000 requests.
    assert.equal(await text('routes.fraud.fallbackShare').textContent(), '5.00 %');
  });

  it('shows shadow agreement and output differences, with their history', async () => {
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#shadows svg.spark path').length >= 2, undefined, { timeout: 10_000 });
    assert.equal(await text('shadows.fraud.meanAbsDifference').textContent(), '0.0125');
    assert.match((await text('shadows.fraud.agreement').textContent())!, /^\d+\.\d\d %$/);
  });

  it('says when a panel could not refresh, keeps the other panels going, and clears the message once it can', async () => {
    shadowsFail = true;
    await page.locator('#shadows .refresh-error', { hasText: 'could not refresh: /admin/shadows: HTTP 500' }).waitFor();
    assert.equal(await page.locator('#rollouts .refresh-error').textContent(), '');
    shadowsFail = false;
    await page.locator('#shadows .refresh-error').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#shadows .refresh-error').textContent(), '');
  });

  it('aborts through POST /admin/rollouts/ROUTE/abort with JSON after a confirmation; switch goes to /admin/routes/ROUTE/switch', async () => {
    await page.click('[data-control="rollout-abort.fraud"]');
    await page.locator('#confirm').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#confirm-text').textContent(), 'Abort the rollout of fraud?');
    await page.screenshot({ path: join(ARTIFACTS, 'rollout-confirm.png') });
    await page.click('#confirm-ok');
    await text('rollouts.fraud.phase').filter({ hasText: 'aborted' }).waitFor();
    assert.equal(await text('rollouts.fraud.canaryWeight').textContent(), '0 %');
    assert.deepEqual(posted, [{ path: '/admin/rollouts/fraud/abort', type: 'application/json', body: '{"reason":"from the dashboard"}' }]);

    await page.click('[data-control="rollout-switch.bg"]');
    const switched = once(posts, 'post');
    await page.click('#confirm-ok');
    await switched;
    assert.deepEqual(posted[1], { path: '/admin/routes/bg/switch', type: 'application/json', body: '{}' });
    await page.screenshot({ path: join(ARTIFACTS, 'rollouts.png'), fullPage: true });
  });
});
