import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium; SWITCHYARD_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumMissing = !existsSync(CHROMIUM);

/** Locally a missing browser skips with the reason; in CI (.ci/run installs it) it is a failure. */
export const skipWithoutChromium: string | false = chromiumMissing && process.env.CI === undefined
  ? `chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set SWITCHYARD_CHROMIUM) to run the dashboard browser test` : false;

export function launchChromium(): Promise<Browser> {
  assert.ok(!chromiumMissing, `chromium not found at ${CHROMIUM}; .ci/run installs it with apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
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
