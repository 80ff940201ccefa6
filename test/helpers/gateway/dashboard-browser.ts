import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { browserSuite } from '../chromium.js';

export interface DashboardBrowser {
  /** node:test's skip option: the reason when Chromium is absent (outside CI), else false. */
  readonly skip: string | false;
  launch(): Promise<Browser>;
}

/** Chromium for one dashboard browser suite: skipped loudly without it, a failure under CI (test/helpers/chromium.ts). */
export function dashboardBrowser(suite: string): DashboardBrowser {
  const { executablePath, skip } = browserSuite(suite);
  return {
    skip,
    launch: () => chromium.launch({ executablePath, args: ['--no-sandbox'] }),
  };
}

/** The page's document, typed for the one call made inside the browser (the project has no DOM lib). */
interface TextDocument {
  querySelector(selector: string): { textContent: string | null } | null;
}

/** The text of the element with data-k=key, once it equals `expected` (the page polls every 2 s). */
export async function shows(page: Page, key: string, expected: string): Promise<void> {
  const selector = `[data-k="${key}"]`;
  try {
    await page.waitForFunction(([s, e]) => (globalThis as unknown as { document: TextDocument }).document.querySelector(s!)?.textContent === e, [selector, expected], { timeout: 10_000 });
  } catch {
    const actual = await page.locator(selector).first().textContent({ timeout: 1000 }).catch(() => '(not on the page)');
    assert.equal(actual, expected, `${key} on the page`);
  }
}
