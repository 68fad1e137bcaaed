import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, which .ci/run installs; playwright's own browser download is not used. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

/** Null when the browser tests can run, else what is missing (for `missingTool`). */
export const browserMissing = (): string | null =>
  existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} is missing: apt-get install -y chromium fonts-dejavu-core fonts-noto-color-emoji`;

/** Headless Chromium (as root it needs --no-sandbox) with one page: a laptop screen, UTC, stable screenshots. */
export async function openPage(): Promise<{ browser: Browser; page: Page }> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage({
    viewport: { width: 1440, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  return { browser, page };
}

/**
 * Saves the page as docs/screenshots/NAME.png (the README shows them), with the pointer parked
 * on the sidebar so no hover depends on when it was taken.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.mouse.move(5, 400);
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname });
}
