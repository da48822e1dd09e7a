// The e2e harness: Debian's Chromium driven by playwright-core (no downloaded browser), one
// browser per test file, a context per user, and every page watched for console errors,
// uncaught exceptions, failed requests and requests to any other origin.
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../dist/screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface Watched {
  page: Page;
  /** Console errors, page errors, failed and foreign requests seen since the last take(). */
  problems: string[];
  take(): string[];
}

export interface E2E {
  browser: Browser;
  newContext(options?: { viewport?: { width: number; height: number }; isMobile?: boolean }): Promise<BrowserContext>;
  watch(page: Page, origin: string): Watched;
  close(): Promise<void>;
}

export async function launch(): Promise<E2E> {
  // launch() gives Chromium a fresh temporary --user-data-dir of its own and removes it on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newContext(options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? DESKTOP,
        isMobile: options.isMobile ?? false,
        hasTouch: options.isMobile ?? false,
      });
      contexts.push(context);
      return context;
    },
    watch(page, origin) {
      const problems: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error on ${page.url()}: ${msg.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`uncaught on ${page.url()}: ${err.message}`));
      page.on('request', (req) => {
        const url = req.url();
        if (!url.startsWith(origin) && !url.startsWith('data:')) problems.push(`third-party request: ${url}`);
      });
      page.on('requestfailed', (req) => {
        // A navigation away aborts in-flight fetches; that is not a failure of the page.
        if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
      });
      return {
        page,
        problems,
        take() {
          return problems.splice(0);
        },
      };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
    },
  };
}

/** Full-page PNG into dist/screenshots (not committed; the README's copies are). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
